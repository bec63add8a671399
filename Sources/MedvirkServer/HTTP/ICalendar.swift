import Foundation

/// RFC 5545 text: CRLF line ends, lines folded at 75 octets, escaped text, times in UTC.
enum ICalendar {
    struct Event {
        var uid: String
        var stamp: Date
        var start: Date
        var end: Date? = nil
        var summary: String
        var description: String?
        var categories: [String] = []
        var location: String? = nil
        var url: String? = nil
        var sequence: Int = 0
        var cancelled = false
    }

    /// How often subscribers should fetch a feed again (RFC 7986 `REFRESH-INTERVAL`, and `X-PUBLISHED-TTL`,
    /// which Outlook reads).
    static let refreshInterval = "PT1H"

    /// A feed named `name` (RFC 7986 `NAME` and the `X-WR-CALNAME` Apple and Google calendars show), in the
    /// time zone `timeZone` when the feed is one municipality's (`X-WR-TIMEZONE`; events are in UTC regardless).
    static func render(name: String, timeZone: String? = nil, language: String = "da", events: [Event]) -> String {
        var lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Medvirk//Medvirk//\(language.uppercased())", "CALSCALE:GREGORIAN",
                     "METHOD:PUBLISH", "NAME:" + escape(name), "X-WR-CALNAME:" + escape(name)]
        if let timeZone { lines.append("X-WR-TIMEZONE:" + timeZone) }
        lines += ["REFRESH-INTERVAL;VALUE=DURATION:" + refreshInterval, "X-PUBLISHED-TTL:" + refreshInterval]
        for event in events {
            lines += ["BEGIN:VEVENT", "UID:" + escape(event.uid), "DTSTAMP:" + utc(event.stamp), "DTSTART:" + utc(event.start)]
            if let end = event.end { lines.append("DTEND:" + utc(end)) }
            lines += ["SEQUENCE:\(event.sequence)", "SUMMARY:" + escape(event.summary)]
            lines.append(event.cancelled ? "STATUS:CANCELLED" : "STATUS:CONFIRMED")
            if event.end == nil { lines.append("TRANSP:TRANSPARENT") }
            if let description = event.description { lines.append("DESCRIPTION:" + escape(description)) }
            if let location = event.location { lines.append("LOCATION:" + escape(location)) }
            if let url = event.url { lines.append("URL:" + url) }
            if !event.categories.isEmpty { lines.append("CATEGORIES:" + event.categories.map(escape).joined(separator: ",")) }
            lines.append("END:VEVENT")
        }
        lines.append("END:VCALENDAR")
        return lines.map(fold).joined(separator: "\r\n") + "\r\n"
    }

    /// A UTC DATE-TIME such as `20261215T120000Z`.
    static func utc(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(format: "%04d%02d%02dT%02d%02d%02dZ", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!)
    }

    /// TEXT escaping (RFC 5545 §3.3.11).
    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: ";", with: "\\;")
            .replacingOccurrences(of: ",", with: "\\,").replacingOccurrences(of: "\r\n", with: "\\n")
            .replacingOccurrences(of: "\n", with: "\\n").replacingOccurrences(of: "\r", with: "\\n")
    }

    /// Folds a content line so no physical line exceeds 75 octets, never splitting a UTF-8 character.
    static func fold(_ line: String) -> String {
        var result = "", current = 0, limit = 75
        for character in line {
            let size = String(character).utf8.count
            if current + size > limit {
                result += "\r\n "
                current = 1
                limit = 75
            }
            result.append(character)
            current += size
        }
        return result
    }
}
