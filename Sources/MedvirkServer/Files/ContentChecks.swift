import Foundation

/// What libmagic does not see: macros in an office package and encryption of a PDF. Both are found by
/// looking for a marker in the file's bytes chunk by chunk, keeping only a marker's length of overlap
/// between chunks, so memory stays bounded by one chunk whatever the file's size.
///
/// - An OOXML package with macros carries a `vbaProject.bin` part (ECMA-376 Part 2 names the part; Word's
///   `.docm` and Excel's `.xlsm` store it as `word/vbaProject.bin`, `xl/vbaProject.bin`). ZIP stores part names
///   uncompressed in each local header and in the central directory, so the name is found in the raw bytes.
/// - An encrypted PDF names an `/Encrypt` dictionary in its trailer or cross-reference stream dictionary
///   (ISO 32000-1 §7.6.1), which are never compressed. A name may spell any character as `#hh` (§7.3.5), so
///   `/#45ncrypt` is the same name: escapes are decoded before matching. (The check is conservative: a PDF
///   that mentions `/Encrypt` elsewhere, in a comment say, is refused too.)
public struct ContentCheck: Sendable {
    public enum Finding: Sendable, Equatable {
        /// 415: an office file with macros.
        case macros
        /// 422: an encrypted PDF, which can be neither checked nor published.
        case encrypted
    }

    private let markers: [(bytes: [UInt8], finding: Finding)]
    /// PDF names may be written with `#hh` escapes.
    private let decodesNameEscapes: Bool
    private var tail: [UInt8] = []
    public private(set) var finding: Finding?

    /// The checks that apply to `type` (none for images and text).
    public init(for type: AcceptedFileType) {
        switch type {
        case .docx, .xlsx: markers = [(Array("vbaProject.bin".utf8), .macros)]
        case .pdf: markers = [(Array("/Encrypt".utf8), .encrypted)]
        case .odt, .ods, .png, .jpeg, .text: markers = []
        }
        decodesNameEscapes = type == .pdf
    }

    /// Looks at the next chunk of the file, in order.
    public mutating func scan(_ chunk: Data) {
        guard finding == nil, !markers.isEmpty else { return }
        let window = tail + Array(chunk)
        let searched = decodesNameEscapes ? Self.decodingNameEscapes(window) : window
        for marker in markers where Self.contains(searched, marker.bytes) {
            finding = marker.finding
            return
        }
        // Enough raw bytes to hold a marker written wholly in escapes (three bytes a character).
        let keep = (markers.map(\.bytes.count).max() ?? 1) * (decodesNameEscapes ? 3 : 1) - 1
        tail = Array(window.suffix(keep))
    }

    /// `#hh` (two hexadecimal digits) replaced by the byte it stands for.
    static func decodingNameEscapes(_ bytes: [UInt8]) -> [UInt8] {
        guard bytes.contains(UInt8(ascii: "#")) else { return bytes }
        func hex(_ b: UInt8) -> UInt8? {
            switch b {
            case 0x30...0x39: b - 0x30
            case 0x41...0x46: b - 0x37
            case 0x61...0x66: b - 0x57
            default: nil
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "#"), i + 2 < bytes.count, let high = hex(bytes[i + 1]), let low = hex(bytes[i + 2]) {
                out.append(high << 4 | low)
                i += 3
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        return out
    }

    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, haystack.count >= needle.count else { return false }
        let first = needle[0]
        var index = 0
        while index <= haystack.count - needle.count {
            if haystack[index] == first, haystack[index..<(index + needle.count)].elementsEqual(needle) { return true }
            index += 1
        }
        return false
    }
}
