import Foundation
import MedvirkCore

/// Timestamps are stored as RFC 3339 text in UTC with a millisecond field, which sorts chronologically.
/// Medvirk keeps whole seconds: `format` truncates, so the field is always `.000` (migration 0009 truncated
/// what earlier versions stored).
enum Timestamps {
    static let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: TimeZone(identifier: "UTC")!)

    static func format(_ date: Date) -> String { style.format(UTCTimestamp.wholeSeconds(date)) }

    static func parse(_ text: String) -> Date {
        UTCTimestamp.parseMilliseconds(text) ?? (try? style.parse(text)) ?? Date(timeIntervalSince1970: 0)
    }
}
