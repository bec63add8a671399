import Foundation
import MedvirkCore
import Synchronization

/// How many requests a client may make: `burst` at once, refilled at `perMinute`.
public struct RateLimit: Sendable, Equatable {
    public var perMinute: Int
    public var burst: Int

    public init(perMinute: Int, burst: Int) {
        self.perMinute = perMinute
        self.burst = burst
    }
}

/// Token buckets per API token and per client address. A request that finds its bucket empty is a 429
/// whose `Retry-After` says when the next request will be accepted.
final class RateLimiter: Sendable {
    private struct Bucket {
        var tokens: Double
        var updated: Date
    }

    let perToken: RateLimit?
    let perAddress: RateLimit?
    private let buckets = Mutex<[String: Bucket]>([:])

    init(perToken: RateLimit?, perAddress: RateLimit?) {
        self.perToken = perToken
        self.perAddress = perAddress
    }

    /// Takes one request from the caller's bucket, or throws the 429.
    func take(token: String?, address: String, now: Date) throws {
        let (key, limit, policy) = token.map { ("token:\($0)", perToken, "token") } ?? ("address:\(address)", perAddress, "address")
        guard let limit, limit.perMinute > 0 else { return }
        let rate = Double(limit.perMinute) / 60
        let wait: Double? = buckets.withLock { buckets in
            if buckets.count > 50_000 { buckets = buckets.filter { now.timeIntervalSince($0.value.updated) < 120 } }
            var bucket = buckets[key] ?? Bucket(tokens: Double(limit.burst), updated: now)
            bucket.tokens = min(Double(limit.burst), bucket.tokens + max(0, now.timeIntervalSince(bucket.updated)) * rate)
            bucket.updated = now
            defer { buckets[key] = bucket }
            guard bucket.tokens >= 1 else { return (1 - bucket.tokens) / rate }
            bucket.tokens -= 1
            return nil
        }
        guard let wait else { return }
        let seconds = max(1, Int(wait.rounded(.up)))
        let window = max(1, Int((Double(limit.burst) / rate).rounded(.up)))
        throw Problem(status: 429, slug: "too-many-requests", title: "Too many requests",
                      detail: "This \(policy == "token" ? "token" : "address") may make \(limit.perMinute) requests a minute (bursts of \(limit.burst)); retry in \(seconds) s.",
                      headers: ["Retry-After": String(seconds),
                                "RateLimit-Policy": "\"\(policy)\";q=\(limit.burst);w=\(window)",
                                "RateLimit": "\"\(policy)\";r=0;t=\(seconds)"])
    }
}
