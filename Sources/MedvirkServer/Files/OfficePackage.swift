import CompressNIO
import Foundation
import NIOCore

/// An OOXML package (DOCX, XLSX) read through its ZIP central directory (APPNOTE.TXT §4.3.12–16), a few
/// small ranges at a time from the stored chunks: the part names, and `[Content_Types].xml` inflated. A
/// package with macros names a `vbaProject` part or declares a macro-enabled main part
/// (`application/vnd.ms-word.document.macroEnabled.main+xml`, `application/vnd.ms-excel.sheet.macroEnabled.main+xml`,
/// `application/vnd.ms-office.vbaProject`; ECMA-376 Part 2 and [MS-OFFMACRO]), whatever its parts are called.
/// A package that cannot be read this way is refused: it cannot be checked.
enum OfficePackage {
    /// Reads `length` bytes at `offset` of the stored file.
    typealias Reader = (_ offset: Int64, _ length: Int) async throws -> Data

    /// The most of the central directory and of `[Content_Types].xml` read (an office file's are a few KiB).
    static let limit = 4 << 20

    enum Verdict: Equatable {
        case noMacros, macros
        /// Not a ZIP this can read, a directory or content types over `limit`, or content types that do not
        /// inflate: it cannot be checked, so it is refused like a package with macros.
        case unreadable
    }

    /// What the package shows. libmagic has already called it an office document.
    static func inspect(size: Int64, read: Reader) async throws -> Verdict {
        let tailLength = Int(min(size, 65_557))
        let tail = [UInt8](try await read(size - Int64(tailLength), tailLength))
        guard tail.count >= 22, let end = (0...(tail.count - 22)).reversed().first(where: { le32(tail, $0) == 0x0605_4B50 }) else { return .unreadable }
        let directorySize = Int(le32(tail, end + 12)), directoryOffset = Int64(le32(tail, end + 16))
        guard directorySize <= limit, directoryOffset + Int64(directorySize) <= size else { return .unreadable }
        let directory = [UInt8](try await read(directoryOffset, directorySize))
        var index = 0
        var contentTypes: (method: Int, compressed: Int, offset: Int64)?
        while index + 46 <= directory.count, le32(directory, index) == 0x0201_4B50 {
            let method = Int(le16(directory, index + 10)), compressed = Int(le32(directory, index + 20))
            let nameLength = Int(le16(directory, index + 28)), extra = Int(le16(directory, index + 30)), comment = Int(le16(directory, index + 32))
            let localOffset = Int64(le32(directory, index + 42))
            guard index + 46 + nameLength <= directory.count else { return .unreadable }
            let name = String(decoding: directory[(index + 46)..<(index + 46 + nameLength)], as: UTF8.self)
            if name.lowercased().contains("vbaproject") { return .macros }
            if name == "[Content_Types].xml" { contentTypes = (method, compressed, localOffset) }
            index += 46 + nameLength + extra + comment
        }
        guard let part = contentTypes, part.compressed <= limit else { return .unreadable }
        let header = [UInt8](try await read(part.offset, 30))
        guard header.count == 30, le32(header, 0) == 0x0403_4B50 else { return .unreadable }
        let dataOffset = part.offset + 30 + Int64(le16(header, 26)) + Int64(le16(header, 28))
        guard dataOffset + Int64(part.compressed) <= size else { return .unreadable }
        var data = ByteBuffer(bytes: try await read(dataOffset, part.compressed))
        let text: String
        switch part.method {
        case 0: text = String(buffer: data)
        case 8:
            guard let inflated = try? data.decompress(with: .deflate(), maxSize: limit) else { return .unreadable }
            text = String(buffer: inflated)
        default: return .unreadable
        }
        let lowered = decodingCharacterReferences(text).lowercased()
        return lowered.contains("macroenabled") || lowered.contains("vbaproject") ? .macros : .noMacros
    }

    /// XML numeric character references (`&#x45;`, `&#69;`) replaced by their characters, so a content type
    /// cannot hide behind them.
    static func decodingCharacterReferences(_ text: String) -> String {
        guard text.contains("&#") else { return text }
        var out = "", rest = Substring(text)
        while let start = rest.range(of: "&#") {
            out += rest[..<start.lowerBound]
            let after = rest[start.upperBound...]
            if let semicolon = after.firstIndex(of: ";"), after.distance(from: after.startIndex, to: semicolon) <= 8 {
                let body = after[..<semicolon]
                let value = body.hasPrefix("x") || body.hasPrefix("X") ? UInt32(body.dropFirst(), radix: 16) : UInt32(body)
                if let value, let scalar = Unicode.Scalar(value) {
                    out.unicodeScalars.append(scalar)
                    rest = after[after.index(after: semicolon)...]
                    continue
                }
            }
            out += "&#"
            rest = after
        }
        return out + rest
    }

    static func le16(_ bytes: [UInt8], _ at: Int) -> UInt16 { UInt16(bytes[at]) | UInt16(bytes[at + 1]) << 8 }
    static func le32(_ bytes: [UInt8], _ at: Int) -> UInt32 { UInt32(le16(bytes, at)) | UInt32(le16(bytes, at + 2)) << 16 }
}
