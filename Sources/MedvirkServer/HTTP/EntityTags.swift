import Crypto
import MedvirkCore
import NIOCore

/// Strong entity tags computed from the exact bytes of a representation.
enum EntityTags {
    static func tag(for body: ByteBuffer) -> String {
        let digest = SHA256.hash(data: body.readableBytesView)
        return "\"" + Hex.string(digest.prefix(12)) + "\""
    }

    /// The tag of the gzip representation of the same bytes: `"abc"` becomes `"abc-gzip"`.
    static func gzipVariant(of tag: String) -> String {
        String(tag.dropLast()) + "-gzip\""
    }

    /// The entity tags of an `If-Match` / `If-None-Match` value as written (`"…"`, `W/"…"` or `*`); nil when
    /// it is not `*` or a comma-separated list of entity tags (RFC 9110 §8.8.3: an opaque tag may hold commas,
    /// `'`, `\\` and any visible character but `"`; list elements may be empty, RFC 9110 §5.6.1).
    static func parse(_ header: String) -> [String]? {
        let bytes = Array(header.utf8)
        var tags: [String] = [], index = 0
        func skipSpace() { while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x09 { index += 1 } }
        skipSpace()
        if bytes[index...].starts(with: [UInt8(ascii: "*")]) {
            index += 1
            skipSpace()
            return index == bytes.count ? ["*"] : nil
        }
        while true {
            skipSpace()
            if index < bytes.count, bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            guard index < bytes.count else { break }
            let start = index
            if bytes[index...].starts(with: Array("W/".utf8)) { index += 2 }
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { return nil }
            index += 1
            while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
                let byte = bytes[index]
                guard byte == 0x21 || (0x23...0x7E).contains(byte) || byte >= 0x80 else { return nil }
                index += 1
            }
            guard index < bytes.count else { return nil }
            index += 1
            tags.append(String(decoding: bytes[start..<index], as: UTF8.self))
            skipSpace()
            guard index == bytes.count || bytes[index] == UInt8(ascii: ",") else { return nil }
        }
        return tags.isEmpty ? nil : tags
    }

    static func list(_ header: String) -> [String] { parse(header) ?? [] }

    static func isWellFormed(_ header: String) -> Bool { parse(header) != nil }

    /// `If-None-Match` uses the weak comparison (RFC 9110 §13.1.2).
    static func noneMatch(_ header: String, current: String) -> Bool {
        if header == current { return true }
        return list(header).contains { $0 == "*" || ($0.hasPrefix("W/") ? String($0.dropFirst(2)) : $0) == current }
    }

    /// `If-Match` uses the strong comparison (RFC 9110 §13.1.1).
    static func match(_ header: String, current: String) -> Bool {
        list(header).contains { $0 == "*" || $0 == current }
    }
}

