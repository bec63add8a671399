import Foundation
import MedvirkCore
import Testing

/// The hand-written timestamp parser and formatter agree with Foundation's ISO 8601 styles they replace.
@Suite struct UTCTimestampTests {
    static let stored = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: TimeZone(identifier: "UTC")!)

    /// Seconds from 1900 to 2200, with leap days, month and year ends, and before 1970 (negative times).
    static var dates: [Date] {
        var generator = SystemRandomNumberGenerator()
        let edges = ["1900-03-01T00:00:00.000Z", "1969-12-31T23:59:59.999Z", "1970-01-01T00:00:00.000Z", "2000-02-29T12:00:00.500Z",
                     "2026-12-31T23:59:59.999Z", "2027-01-01T00:00:00.001Z", "2100-02-28T23:59:59.000Z", "2199-12-31T23:59:59.999Z"]
        return edges.map { try! stored.parse($0) }
            + (0..<5000).map { _ in Date(timeIntervalSince1970: Double(Int64.random(in: -2_208_988_800...7_258_118_400, using: &generator))
                                          + Double(Int.random(in: 0..<1000, using: &generator)) / 1000) }
    }

    @Test func parsingWhatTheStoreWritesMatchesFoundation() throws {
        for date in Self.dates {
            let text = Self.stored.format(date)
            let fast = try #require(UTCTimestamp.parseMilliseconds(text), "\(text)")
            let foundation = try Self.stored.parse(text)
            // The same Date to the bit. (Foundation's own parse and format do not always round-trip the
            // millisecond, since formatting truncates; being identical to it keeps everything as it was.)
            #expect(fast == foundation, "\(text)")
        }
    }

    @Test func formattingSecondsMatchesFoundation() {
        for date in Self.dates {
            #expect(UTCTimestamp.secondsText(date) == date.formatted(.iso8601))
        }
    }

    @Test func otherShapesAreLeftToFoundation() {
        for text in ["2026-11-23T18:59:42Z", "2026-11-23T18:59:42.123+01:00", "2026-02-30T00:00:00.000Z", "2026-13-01T00:00:00.000Z",
                     "2026-11-23T24:00:00.000Z", "2026-11-23T18:60:00.000Z", "2026-11-23 18:59:42.123Z", "2026-11-23T18:59:4x.123Z", ""] {
            #expect(UTCTimestamp.parseMilliseconds(text) == nil, "\(text)")
        }
    }
}
