import Foundation

/// The events a webhook subscription can ask for: the change feed's event names that matter to subscribers
/// (the catalogue, with when each fires, is `WebhookEventType` in `openapi.yaml`).
public enum WebhookEvents {
    public static let catalogue: [String] = [
        "consultation.published", "consultation.updated", "consultation.opened", "consultation.closing_soon", "consultation.closed",
        "consultation.withdrawn", "consultation.concluded", "memo.published", "memo.retracted", "response.received", "response.published",
        "response.withheld", "response.withdrawn", "party.invited", "meeting.published", "meeting.updated", "meeting.cancelled",
        "minutes.approved", "decision.created", "decision.follow_up_changed",
    ]
    /// Sent by `POST /v1/webhooks/{id}/ping`; not subscribable.
    public static let ping = "webhook.ping"
}

/// A subscription to events, delivered by HTTP POST to `url` as the token `tokenId` reads them in the feed.
public struct Webhook: Sendable, Equatable {
    public var id: String
    public var tokenId: String
    public var municipalityId: String?
    public var url: String
    public var events: [String]
    public var description: String?
    public var active: Bool
    /// `paused`, `token revoked` or the failures that disabled it; nil while active.
    public var disabledReason: String?
    /// Until when the secret before the last rotation signs beside the current one.
    public var previousSecretExpiresAt: Date?
    public var createdAt: Date
    public var updatedAt: Date

    public init(id: String, tokenId: String, municipalityId: String?, url: String, events: [String], description: String?, active: Bool,
                disabledReason: String?, previousSecretExpiresAt: Date?, createdAt: Date, updatedAt: Date) {
        self.id = id
        self.tokenId = tokenId
        self.municipalityId = municipalityId
        self.url = url
        self.events = events
        self.description = description
        self.active = active
        self.disabledReason = disabledReason
        self.previousSecretExpiresAt = previousSecretExpiresAt
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// The writable fields of a subscription.
public struct WebhookDraft: Sendable, Equatable {
    public var url: String
    public var events: [String]
    public var municipalityId: String?
    public var description: String?

    public init(url: String, events: [String], municipalityId: String?, description: String?) {
        self.url = url
        self.events = events
        self.municipalityId = municipalityId
        self.description = description
    }

    /// The contract's limits and the URL's form (`WebhookTarget`); the address check needs DNS and is the
    /// server's (`WebhookAddressPolicy`). Errors are 422s naming the field.
    public func validate(allowPlainHTTP: Bool) throws {
        var errors = Rules.text("url", url, max: 2000) + Rules.optionalText("description", description, max: 500)
        if errors.isEmpty, case .failure(let error) = WebhookTarget.parse(url, allowPlainHTTP: allowPlainHTTP) { errors.append(error) }
        if events.isEmpty { errors.append(FieldError("events", "must name at least one event")) }
        errors += Rules.maxItems("events", events.count, max: 20)
        for (i, event) in events.enumerated() where !WebhookEvents.catalogue.contains(event) {
            errors.append(FieldError("events[\(i)]", "must be one of \(WebhookEvents.catalogue.joined(separator: ", "))"))
        }
        if Set(events).count != events.count { errors.append(FieldError("events", "must not name an event twice")) }
        try Problem.check(errors)
    }
}

/// A subscriber URL taken apart: where to connect and what to say in `Host` and TLS.
public struct WebhookTarget: Sendable, Equatable {
    public var https: Bool
    /// The host, without IPv6 brackets, lowercased.
    public var host: String
    /// The host as the URL spells it, for the HTTP client's name-to-address pinning.
    public var writtenHost: String
    public var port: Int

    /// An absolute `https://` URL (or `http://` when allowed) with a host, without user information or a
    /// fragment; the error names `url`.
    public static func parse(_ text: String, allowPlainHTTP: Bool) -> Result<WebhookTarget, FieldError> {
        let expected = allowPlainHTTP ? "an absolute http:// or https:// URL" : "an absolute https:// URL"
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased() else {
            return .failure(FieldError("url", "must be \(expected)"))
        }
        guard scheme == "https" || (scheme == "http" && allowPlainHTTP) else {
            return .failure(FieldError("url", scheme == "http" ? "must use https:// (http:// is allowed only with --webhook-allow-private)" : "must be \(expected)"))
        }
        guard var host = components.host, !host.isEmpty else { return .failure(FieldError("url", "must name a host")) }
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard components.user == nil, components.password == nil else { return .failure(FieldError("url", "must not carry a user name or password")) }
        guard components.fragment == nil else { return .failure(FieldError("url", "must not have a fragment")) }
        let port = components.port ?? (scheme == "https" ? 443 : 80)
        guard (1...65_535).contains(port) else { return .failure(FieldError("url", "must have a port from 1 to 65535")) }
        return .success(WebhookTarget(https: scheme == "https", host: host.lowercased(), writtenHost: host, port: port))
    }
}

/// One event on its way to one subscription (`GET /v1/webhooks/{id}/deliveries`).
public struct WebhookDelivery: Sendable, Equatable {
    public enum Status: String, Sendable { case pending, delivered, failed }

    public var id: String
    public var webhookId: String
    /// `evt_<seq>` or `evt_ping_…`: the `webhook-id` header, the same on every attempt and redelivery.
    public var eventId: String
    public var event: String
    /// The feed entry; nil for a ping.
    public var seq: Int64?
    public var status: Status
    public var attempts: Int
    public var lastStatusCode: Int?
    public var lastError: String?
    public var nextAttemptAt: Date?
    public var lastAttemptAt: Date?
    public var deliveredAt: Date?
    public var redeliveryOf: String?
    public var createdAt: Date

    public init(id: String, webhookId: String, eventId: String, event: String, seq: Int64?, status: Status, attempts: Int,
                lastStatusCode: Int?, lastError: String?, nextAttemptAt: Date?, lastAttemptAt: Date?, deliveredAt: Date?,
                redeliveryOf: String?, createdAt: Date) {
        self.id = id
        self.webhookId = webhookId
        self.eventId = eventId
        self.event = event
        self.seq = seq
        self.status = status
        self.attempts = attempts
        self.lastStatusCode = lastStatusCode
        self.lastError = lastError
        self.nextAttemptAt = nextAttemptAt
        self.lastAttemptAt = lastAttemptAt
        self.deliveredAt = deliveredAt
        self.redeliveryOf = redeliveryOf
        self.createdAt = createdAt
    }
}

/// A delivery whose next attempt is due, with what sending it needs.
public struct DueDelivery: Sendable {
    /// The row, by its sequence number.
    public var seq: Int64
    public var id: String
    public var webhookId: String
    public var eventId: String
    /// The exact body to send (no personal data).
    public var payload: Data
    /// The number this attempt will be (1 for the first).
    public var attempt: Int
    public var url: String
    /// The signing secrets: the current one, and the previous one during the 24 hours after a rotation.
    public var secrets: [String]
    /// The token whose subscription it is (attempts in flight are capped per token).
    public var tokenId: String
    /// The subscription's URL and secrets when this was read: a sender stops when they have changed or the
    /// subscription is paused, disabled or deleted.
    public var version: String

    public init(seq: Int64, id: String, webhookId: String, eventId: String, payload: Data, attempt: Int, url: String, secrets: [String],
                tokenId: String, version: String) {
        self.seq = seq
        self.id = id
        self.webhookId = webhookId
        self.eventId = eventId
        self.payload = payload
        self.attempt = attempt
        self.url = url
        self.secrets = secrets
        self.tokenId = tokenId
        self.version = version
    }
}

/// How one delivery attempt went.
public struct AttemptResult: Sendable {
    public var delivery: DueDelivery
    public var verdict: AttemptVerdict
    /// The HTTP status, when an answer came.
    public var statusCode: Int?
    /// Why it did not succeed (no personal data: a status, a network error, a refused address).
    public var error: String?
    /// What the receiver's `Retry-After` asked for, in seconds.
    public var retryAfter: TimeInterval?

    public init(delivery: DueDelivery, verdict: AttemptVerdict, statusCode: Int?, error: String?, retryAfter: TimeInterval?) {
        self.delivery = delivery
        self.verdict = verdict
        self.statusCode = statusCode
        self.error = error
        self.retryAfter = retryAfter
    }
}

/// A field's error can be a `Result`'s failure (`WebhookTarget.parse`).
extension FieldError: Error {}
