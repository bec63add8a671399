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

    static func list(_ header: String) -> [String] {
        HeaderValues.items(header).map(String.init)
    }

    /// `*` or a comma-separated list of entity tags (`"…"` or `W/"…"`), as RFC 9110 §8.8.3 spells them.
    static func isWellFormed(_ header: String) -> Bool {
        let tags = list(header)
        if tags == ["*"] { return true }
        return !tags.isEmpty && tags.allSatisfy { tag in
            let opaque = tag.hasPrefix("W/") ? tag.dropFirst(2) : Substring(tag)
            return opaque.count >= 2 && opaque.first == "\"" && opaque.last == "\""
                && opaque.dropFirst().dropLast().utf8.allSatisfy { $0 == 0x21 || (0x23...0x7E).contains($0) || $0 >= 0x80 }
        }
    }

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

