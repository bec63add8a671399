import Foundation
import MedvirkCore

/// Timestamps are stored as RFC 3339 text in UTC with milliseconds, which sorts chronologically.
enum Timestamps {
    static let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: TimeZone(identifier: "UTC")!)

    static func format(_ date: Date) -> String { style.format(date) }

    static func parse(_ text: String) -> Date {
        UTCTimestamp.parseMilliseconds(text) ?? (try? style.parse(text)) ?? Date(timeIntervalSince1970: 0)
    }
}
