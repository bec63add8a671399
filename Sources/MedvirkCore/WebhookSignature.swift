import Crypto
import Foundation

/// Signing by the Standard Webhooks specification (https://www.standardwebhooks.com, "Signature scheme"):
/// the signed content is `{webhook-id}.{webhook-timestamp}.{body}`, signed with HMAC-SHA256 keyed by the
/// base64-decoded part of a `whsec_` secret, and sent as `webhook-signature: v1,<base64>`; several
/// signatures (a rotation) are separated by spaces.
public enum WebhookSignature {
    public static let secretPrefix = "whsec_"

    /// A new secret: `whsec_` and the base64 of 24 random bytes (192 bits).
    public static func newSecret() -> String { secretPrefix + Data(Identifiers.randomBytes(24)).base64EncodedString() }

    /// `v1,<base64 HMAC-SHA256>` of one message under one secret; nil for a secret that is not `whsec_` and base64.
    public static func sign(secret: String, id: String, timestamp: Int, body: Data) -> String? {
        guard secret.hasPrefix(secretPrefix), let key = Data(base64Encoded: String(secret.dropFirst(secretPrefix.count))) else { return nil }
        var content = Data("\(id).\(timestamp).".utf8)
        content.append(body)
        let mac = HMAC<SHA256>.authenticationCode(for: content, using: SymmetricKey(data: key))
        return "v1," + Data(mac).base64EncodedString()
    }

    /// The `webhook-signature` header value: one signature per secret, space-separated.
    public static func header(secrets: [String], id: String, timestamp: Int, body: Data) -> String {
        secrets.compactMap { sign(secret: $0, id: id, timestamp: timestamp, body: body) }.joined(separator: " ")
    }
}

/// When a failed delivery attempt is tried again: the waits after each attempt, in seconds (the contract's
/// `WebhookDelivery`: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h unless `serve --webhook-retry-schedule` says
/// otherwise); after the last wait's attempt the delivery fails.
public struct RetrySchedule: Sendable, Equatable {
    public var waits: [TimeInterval]

    public static let standard = RetrySchedule(waits: [5, 300, 1800, 7200, 18_000, 36_000, 36_000])
    /// Longest wait a `Retry-After` can ask for.
    public static let longestWait: TimeInterval = 86_400

    public init(waits: [TimeInterval]) { self.waits = waits }

    /// Parses `5s,5m,30m,2h` (units s, m, h; a bare number is seconds); 1 to 20 waits, each at most 24 h.
    public init?(parsing text: String) {
        var waits: [TimeInterval] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let item = part.trimmingCharacters(in: .whitespaces)
            let units: [(String, TimeInterval)] = [("s", 1), ("m", 60), ("h", 3600)]
            let (digits, factor) = units.first { item.hasSuffix($0.0) }.map { (String(item.dropLast($0.0.count)), $0.1) } ?? (item, 1)
            guard !digits.isEmpty, digits.count <= 9, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Double(digits) else { return nil }
            let wait = value * factor
            guard wait <= Self.longestWait else { return nil }
            waits.append(wait)
        }
        guard (1...20).contains(waits.count) else { return nil }
        self.waits = waits
    }

    /// Attempts in all: the first and one after each wait.
    public var attempts: Int { waits.count + 1 }

    /// The wait after attempt number `attempt` (1-based) failed, lengthened by `jitter` (0…1) times 20 % and
    /// to at least `retryAfter` (capped at 24 h); nil when that was the last attempt.
    public func wait(after attempt: Int, jitter: Double, retryAfter: TimeInterval?) -> TimeInterval? {
        guard attempt >= 1, attempt <= waits.count else { return nil }
        let base = waits[attempt - 1] * (1 + 0.2 * min(max(jitter, 0), 1))
        return max(base, min(retryAfter ?? 0, Self.longestWait))
    }

    /// A `Retry-After` value (RFC 9110 §10.2.3): delay-seconds or an HTTP-date, as seconds from `now`.
    public static func retryAfter(_ value: String?, now: Date) -> TimeInterval? {
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        if value.allSatisfy({ $0.isASCII && $0.isNumber }) { return value.count <= 9 ? Double(value) : longestWait }
        let format = DateFormatter()
        format.locale = Locale(identifier: "en_US_POSIX")
        format.timeZone = TimeZone(identifier: "GMT")
        format.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return format.date(from: value).map { max(0, $0.timeIntervalSince(now)) }
    }
}

/// What one delivery attempt's answer means (the contract's `WebhookDelivery`): 2xx delivered; network
/// errors, timeouts, 408, 429 and 5xx retried; other 4xx and every 3xx (redirects are not followed) failed.
public enum AttemptVerdict: Sendable, Equatable {
    case delivered, retry, fail

    public static func of(status: Int) -> AttemptVerdict {
        switch status {
        case 200...299: .delivered
        case 408, 429, 500...599: .retry
        default: .fail
        }
    }
}
