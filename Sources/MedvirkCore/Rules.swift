import Foundation

/// Field rules shared by every resource. The limits match `openapi.yaml`, which the generator does not enforce.
public enum Rules {
    public static func isSlug(_ s: String) -> Bool {
        (2...63).contains(s.utf8.count) && s.utf8.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 45 }
    }

    static let knownTimeZones = Set(TimeZone.knownTimeZoneIdentifiers)

    public static func isTimeZone(_ s: String) -> Bool { s == "UTC" || knownTimeZones.contains(s) }

    /// Required text: not blank, at most `max` characters, no control characters.
    public static func text(_ field: String, _ value: String, max: Int) -> [FieldError] {
        if value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { return [FieldError(field, "must not be blank")] }
        return optionalText(field, value, max: max)
    }

    public static func optionalText(_ field: String, _ value: String?, max: Int) -> [FieldError] {
        guard let value else { return [] }
        // Lengths count Unicode code points, as JSON Schema's maxLength does.
        if value.unicodeScalars.count > max { return [FieldError(field, "must be at most \(max) characters")] }
        if value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control && $0 != "\n" && $0 != "\r" && $0 != "\t" }) {
            return [FieldError(field, "must not contain control characters")]
        }
        return []
    }

    /// At most `max` entries in an array (the contract's `maxItems`).
    public static func maxItems(_ field: String, _ count: Int, max: Int) -> [FieldError] {
        count > max ? [FieldError(field, "must have at most \(max) entries")] : []
    }

    /// A number within the contract's `minimum`...`maximum` (absent passes; NaN and infinity do not).
    public static func range<N: Comparable & Numeric>(_ field: String, _ value: N?, _ limits: ClosedRange<N>) -> [FieldError] {
        guard let value else { return [] }
        if let double = value as? Double, !double.isFinite { return [FieldError(field, "must be between \(limits.lowerBound) and \(limits.upperBound)")] }
        return limits.contains(value) ? [] : [FieldError(field, "must be between \(limits.lowerBound) and \(limits.upperBound)")]
    }

    /// Text of at most `max` Unicode code points (the contract's `maxLength`), control characters allowed.
    public static func length(_ field: String, _ value: String, max: Int) -> [FieldError] {
        value.unicodeScalars.count > max ? [FieldError(field, "must be at most \(max) characters")] : []
    }

    /// An absolute http(s) URL of at most 500 characters.
    public static func url(_ field: String, _ value: String?) -> [FieldError] {
        guard let value else { return [] }
        guard value.unicodeScalars.count <= 500, !value.contains(where: { $0.isWhitespace }),
              let url = URL(string: value), let scheme = url.scheme?.lowercased(),
              scheme == "https" || scheme == "http", let host = url.host, !host.isEmpty
        else { return [FieldError(field, "must be an absolute http or https URL of at most 500 characters")] }
        return []
    }

    public static func email(_ field: String, _ value: String?) -> [FieldError] {
        guard let value else { return [] }
        let parts = value.split(separator: "@", omittingEmptySubsequences: false)
        guard value.unicodeScalars.count <= 254, parts.count == 2, !parts[0].isEmpty, parts[1].contains("."),
              !parts[1].hasPrefix("."), !parts[1].hasSuffix("."),
              !value.contains(where: { $0.isWhitespace || $0.isNewline })
        else { return [FieldError(field, "must be an e-mail address")] }
        return []
    }

    public static func phone(_ field: String, _ value: String?) -> [FieldError] {
        guard let value else { return [] }
        let allowed = Set("+0123456789 -()")
        guard (3...40).contains(value.count), value.allSatisfy({ allowed.contains($0) }),
              value.contains(where: { $0.isNumber })
        else { return [FieldError(field, "must be a phone number: digits, spaces, '+', '-', '(' and ')'")] }
        return []
    }

    static let earliest = Date(timeIntervalSince1970: -2_208_988_800)   // 1900-01-01T00:00:00Z
    static let latest = Date(timeIntervalSince1970: 32_503_680_000)     // 3000-01-01T00:00:00Z

    /// Timestamps must fall in the years 1900 to 2999, like calendar dates.
    public static func timestamp(_ field: String, _ value: Date?) -> [FieldError] {
        guard let value else { return [] }
        return value >= earliest && value < latest ? [] : [FieldError(field, "must be in the years 1900 to 2999")]
    }

    public static func date(_ field: String, _ value: String?) -> (CalendarDate?, [FieldError]) {
        guard let value else { return (nil, []) }
        guard let date = CalendarDate(value) else { return (nil, [FieldError(field, "must be a real date YYYY-MM-DD")]) }
        return (date, [])
    }
}
