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

/// A list position: the sequence number of the last row returned and, for lists sorted by a value that can
/// change (meetings by start time), that row's sort value as it was when the page was served, so editing the
/// boundary row between two fetches does not skip the rest of the list. `shown` lists boundary rows that
/// were served and have moved since (at most `maxShown`), so they are not served again further on.
/// Wrapped so clients treat it as opaque: `c<seq>`, `c<seq>_<sort>` or `c<seq>_<sort>_<shown>.<shown>…`, base 36.
public struct Cursor: Sendable, Equatable {
    public var after: Int64
    /// The sort value of the row `after` names (seconds since 1970 for a time), when the list has one.
    public var sortValue: Int64?
    /// Sequence numbers of rows already served that must not be served again.
    public var shown: [Int64]

    public static let maxShown = 4

    public init(after: Int64, sortValue: Int64? = nil, shown: [Int64] = []) {
        self.after = after
        self.sortValue = sortValue
        self.shown = Array(shown.suffix(Self.maxShown))
    }

    /// What the contract's `Cursor` parameter pattern allows.
    /// Twelve base-36 digits at most, so every part fits an Int64: any cursor the pattern allows is read
    /// (a made-up one is a position like any other), and nothing it allows is a 400.
    public static let pattern = "^c[0-9a-z]{1,12}(_-?[0-9a-z]{1,12}(_[0-9a-z]{1,12}(\\.[0-9a-z]{1,12}){0,3})?)?$"

    public var encoded: String {
        var text = "c" + String(after, radix: 36)
        if let sortValue { text += "_" + String(sortValue, radix: 36) }
        if sortValue != nil, !shown.isEmpty { text += "_" + shown.map { String($0, radix: 36) }.joined(separator: ".") }
        return text
    }

    /// Parses a cursor from a `cursor` query parameter; nil when it is not one this server made.
    public init?(encoded: String) {
        guard encoded.count > 1, encoded.count <= 90, encoded.first == "c" else { return nil }
        func number(_ text: Substring, signed: Bool = false) -> Int64? {
            let digits = signed && text.first == "-" ? text.dropFirst() : text
            guard (1...12).contains(digits.count), digits.allSatisfy({ $0.isASCII && ($0.isNumber || $0.isLowercase) }),
                  let value = Int64(text, radix: 36), signed || value >= 0
            else { return nil }
            return value
        }
        let parts = encoded.dropFirst().split(separator: "_", omittingEmptySubsequences: false)
        guard (1...3).contains(parts.count), let value = number(parts[0]) else { return nil }
        after = value
        shown = []
        if parts.count >= 2 {
            guard let sort = number(parts[1], signed: true) else { return nil }
            sortValue = sort
        }
        if parts.count == 3 {
            let listed = parts[2].split(separator: ".", omittingEmptySubsequences: false).map { number($0) }
            guard (1...Self.maxShown).contains(listed.count), !listed.contains(nil) else { return nil }
            shown = listed.compactMap { $0 }
        }
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
