import Foundation

/// Opaque ids, random secrets and pagination cursors.
public enum Identifiers {
    static let alphabet = Array("0123456789abcdefghjkmnpqrstvwxyz")

    /// A new opaque id such as `cou_4k9x2m7q1c`: a short type prefix and 12 random base-32 characters.
    /// The 60 random bits come from one 64-bit draw: on Linux every draw is a `getrandom` system call, and
    /// one per character was a measurable part of every submission inside the single writer.
    public static func make(_ prefix: String) -> String {
        var generator = SystemRandomNumberGenerator()
        var bits = generator.next()
        var body: [Character] = []
        body.reserveCapacity(12)
        for _ in 0..<12 {
            body.append(alphabet[Int(bits & 31)])
            bits >>= 5
        }
        return prefix + "_" + String(body)
    }

    /// `count` cryptographically random bytes, drawn eight at a time.
    public static func randomBytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count + 7)
        while bytes.count < count {
            withUnsafeBytes(of: generator.next()) { bytes.append(contentsOf: $0) }
        }
        return Array(bytes.prefix(count))
    }

    public static func base64URL(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}

/// A list position: the sequence number of the last row returned, wrapped so clients treat it as opaque.
public struct Cursor: Sendable, Equatable {
    public var after: Int64

    public init(after: Int64) { self.after = after }

    public var encoded: String { "c" + String(after, radix: 36) }

    /// Parses a cursor from a `cursor` query parameter; nil when it is not one this server made.
    public init?(encoded: String) {
        guard encoded.count > 1, encoded.count <= 20, encoded.first == "c",
              let value = Int64(encoded.dropFirst(), radix: 36), value >= 0,
              String(value, radix: 36) == encoded.dropFirst()
        else { return nil }
        self.after = value
    }
}

/// A page of a list and where the next one starts.
public struct Page<Item: Sendable>: Sendable {
    public var items: [Item]
    public var next: Cursor?

    public init(items: [Item], next: Cursor?) {
        self.items = items
        self.next = next
    }

    public func map<T>(_ transform: (Item) throws -> T) rethrows -> Page<T> {
        Page<T>(items: try items.map(transform), next: next)
    }
}

/// How a list request asks for a page.
public struct PageRequest: Sendable {
    public var limit: Int
    public var after: Cursor?

    public init(limit: Int, after: Cursor?) {
        self.limit = limit
        self.after = after
    }

    public static let defaultLimit = 50
    public static let maxLimit = 200

    /// Validates `limit` (1...200, default 50) and `cursor`; both errors are 400s, never clamped.
    public static func parse(limit: Int?, cursor: String?) throws -> PageRequest {
        let limit = limit ?? defaultLimit
        guard (1...maxLimit).contains(limit) else {
            throw Problem.badRequest("limit must be between 1 and \(maxLimit); got \(limit).", slug: "invalid-limit",
                                     errors: [FieldError("limit", "must be between 1 and \(maxLimit)")])
        }
        var after: Cursor?
        if let cursor {
            guard let parsed = Cursor(encoded: cursor) else {
                throw Problem.badRequest("The cursor is not one this server issued.", slug: "invalid-cursor",
                                         errors: [FieldError("cursor", "unknown cursor")])
            }
            after = parsed
        }
        return PageRequest(limit: limit, after: after)
    }
}
