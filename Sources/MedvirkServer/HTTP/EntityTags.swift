import Crypto
import NIOCore

/// Strong entity tags computed from the exact bytes of a representation.
enum EntityTags {
    static func tag(for body: ByteBuffer) -> String {
        let digest = SHA256.hash(data: body.readableBytesView)
        return "\"" + digest.prefix(12).map { String(format: "%02x", $0) }.joined() + "\""
    }

    static func list(_ header: String) -> [String] {
        header.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// `If-None-Match` uses the weak comparison (RFC 9110 §13.1.2).
    static func noneMatch(_ header: String, current: String) -> Bool {
        list(header).contains { $0 == "*" || ($0.hasPrefix("W/") ? String($0.dropFirst(2)) : $0) == current }
    }

    /// `If-Match` uses the strong comparison (RFC 9110 §13.1.1).
    static func match(_ header: String, current: String) -> Bool {
        list(header).contains { $0 == "*" || $0 == current }
    }
}

