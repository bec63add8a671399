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
            // Whole seconds, what the store writes (Foundation's own parse of a random millisecond is not always
            // bit-identical to its format).
            + (0..<5000).map { _ in Date(timeIntervalSince1970: Double(Int64.random(in: -2_208_988_800...7_258_118_400, using: &generator))) }
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

    /// RFC 3339 §5.6 as clients write it: fractions of any length (truncated), offsets, either case of T and Z.
    @Test(arguments: [
        ("2026-12-01T15:00:00Z", "2026-12-01T15:00:00Z"),
        ("2026-12-01T15:00:00.000Z", "2026-12-01T15:00:00Z"),
        ("2026-12-01T15:00:00.999Z", "2026-12-01T15:00:00Z"),
        ("2026-12-01T15:00:00.123456789Z", "2026-12-01T15:00:00Z"),
        ("2026-12-01t15:00:00z", "2026-12-01T15:00:00Z"),
        ("2026-12-01T16:00:00+01:00", "2026-12-01T15:00:00Z"),
        ("2026-12-01T16:00:00.5+01:00", "2026-12-01T15:00:00Z"),
        ("2026-12-01T00:30:00-02:30", "2026-12-01T03:00:00Z"),
        ("2027-01-01T00:59:59+01:00", "2026-12-31T23:59:59Z"),
        ("2016-12-31T23:59:60Z", "2016-12-31T23:59:59Z"),
    ])
    func rfc3339InputIsWholeSecondsInUTC(input: String, expected: String) throws {
        let date = try #require(UTCTimestamp.parseRFC3339(input))
        #expect(UTCTimestamp.secondsText(date) == expected)
    }

    @Test(arguments: ["2026-12-01", "2026-12-01T15:00Z", "2026-12-01T15:00:00", "2026-12-01T15:00:00.Z", "2026-12-01T15:00:61Z",
                      "2026-02-29T15:00:00Z", "2026-12-01T15:00:00+0100", "2026-12-01T15:00:00+24:00", "2026-12-01 15:00:00Z",
                      "2026-12-01T15:00:00Zjunk", "1.12.2026 15:00"])
    func malformedTimestampsAreRefused(input: String) {
        #expect(UTCTimestamp.parseRFC3339(input) == nil)
    }
}
