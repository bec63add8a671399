import Foundation
import GRDB
import MedvirkCore

/// The body a subscriber receives (the contract's `WebhookPayload`): public fields of a feed entry only.
struct WebhookPayload: Encodable {
    struct Data: Encodable {
        var id: String
        var href: String
        var resource: String
        var action: String
        var parent_id: String?
    }
    var id: String
    var type: String
    var occurred_at: String
    var seq: Int64?
    var municipality_id: String?
    var data: Data

    func encoded() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(self)) ?? Foundation.Data(), as: UTF8.self)
    }
}

/// The queue's state for `/metrics`.
public struct WebhookQueueStats: Sendable {
    /// Pending deliveries of active subscriptions.
    public var depth: Int
    /// Seconds since the oldest of them was queued; 0 when none is.
    public var oldestPendingAge: TimeInterval
}

extension Store {
    /// 30 days: how long delivered and failed deliveries are kept.
    public static let deliveryRetention: TimeInterval = 30 * 86_400
    /// 3 days: how long every attempt of a subscription may fail before it is disabled.
    public static let defaultWebhookDisableAfter: TimeInterval = 3 * 86_400

    static func delivery(_ row: Row) -> WebhookDelivery {
        WebhookDelivery(id: row["id"], webhookId: row["webhook_id"], eventId: row["event_id"], event: row["event"], seq: row["change_seq"],
                        status: WebhookDelivery.Status(rawValue: row["status"]) ?? .pending, attempts: row["attempts"],
                        lastStatusCode: row["last_status_code"], lastError: row["last_error"],
                        nextAttemptAt: (row["next_attempt_at"] as String?).map(Timestamps.parse),
                        lastAttemptAt: (row["last_attempt_at"] as String?).map(Timestamps.parse),
                        deliveredAt: (row["delivered_at"] as String?).map(Timestamps.parse), redeliveryOf: row["redelivery_of"],
                        createdAt: Timestamps.parse(row["created_at"]))
    }

    static func insertDelivery(_ db: Database, webhook: String, eventId: String, event: String, seq: Int64?, payload: String,
                               redeliveryOf: String? = nil, now: String) throws -> String {
        let id = Identifiers.make("whd")
        try db.cachedStatement(sql: """
            INSERT INTO webhook_deliveries (id, webhook_id, event_id, event, change_seq, payload, status, next_attempt_at, redelivery_of, created_at)
            VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?)
            """).execute(arguments: [id, webhook, eventId, event, seq, payload, now, redeliveryOf, now])
        return id
    }

    /// Queues, for every active subscription whose token is live, a delivery for each feed entry after its
    /// cursor that its token's view shows and its events and municipality select, at most `batch` entries per
    /// subscription, and moves its cursor on: one transaction, so a crash repeats or loses nothing. Returns
    /// how many deliveries it queued.
    @discardableResult
    public func queueWebhookDeliveries(batch: Int = 500) async throws -> Int {
        let behind = try await pool.read { db in
            try Bool.fetchOne(db.cachedStatement(sql: """
                SELECT EXISTS (SELECT 1 FROM webhooks WHERE active = 1 AND cursor < (SELECT coalesce(max(seq), 0) FROM changes))
                """)) ?? false
        }
        guard behind else { return 0 }
        return try await pool.write { db in
            let head = try Int64.fetchOne(db.cachedStatement(sql: "SELECT coalesce(max(seq), 0) FROM changes")) ?? 0
            let subscriptions = try Row.fetchAll(db.cachedStatement(sql: """
                SELECT w.id, w.cursor, w.events, w.municipality_id, t.id AS token_id, t.name, t.scope, t.municipalities
                FROM webhooks w JOIN tokens t ON t.id = w.token_id AND t.revoked_at IS NULL
                WHERE w.active = 1 AND w.cursor < ?
                """), arguments: [head])
            let stamp = Timestamps.format(self.clock.now())
            var queued = 0
            for row in subscriptions {
                let token = TokenInfo(id: row["token_id"], name: row["name"], scope: TokenScope(rawValue: row["scope"]) ?? .partner,
                                      municipalities: try JSONColumn.decodeList(String.self, row["municipalities"]))
                let wanted = Set(try JSONColumn.decodeList(String.self, row["events"]))
                let view = token.feedView
                let entries = try Self.visibleChanges(db, municipality: row["municipality_id"], after: row["cursor"], limit: batch,
                                                      adminOf: view.adminOf, partner: view.partner)
                for entry in entries where try wanted.contains(entry.event) && Self.concerns(db, entry, token) {
                    let payload = WebhookPayload(
                        id: "evt_\(entry.seq)", type: entry.event, occurred_at: UTCTimestamp.secondsText(entry.at), seq: entry.seq,
                        municipality_id: entry.municipalityId,
                        data: .init(id: entry.id, href: entry.href, resource: entry.type.rawValue, action: entry.action.rawValue, parent_id: entry.parentId))
                    _ = try Self.insertDelivery(db, webhook: row["id"], eventId: payload.id, event: entry.event, seq: entry.seq,
                                                payload: payload.encoded(), now: stamp)
                    queued += 1
                }
                // A short page means every entry up to the head was read (the rest were not visible to this token).
                let cursor = entries.count == batch ? entries.last!.seq : head
                try db.cachedStatement(sql: "UPDATE webhooks SET cursor = ? WHERE id = ?").execute(arguments: [cursor, row["id"]])
            }
            return queued
        }
    }

    /// Whether a partner's subscription hears of `entry`: of responses and hearing parties only its own (the
    /// responses it submitted, the parties linked to it), even when others' are public; everything else its
    /// token reads. An admin's subscription hears of everything its token reads.
    static func concerns(_ db: Database, _ entry: ChangeEvent, _ token: TokenInfo) throws -> Bool {
        guard token.scope == .partner else { return true }
        switch entry.type {
        case .response: return entry.partnerTokenId == token.id
        case .party:
            return try String.fetchOne(db.cachedStatement(sql: "SELECT partner_token_id FROM parties WHERE id = ?"), arguments: [entry.id]) == token.id
        default: return true
        }
    }

    /// Queues a `webhook.ping` to an active subscription (409 `webhook-inactive` otherwise).
    public func pingWebhook(_ id: String, actor: WriteActor) async throws -> WebhookDelivery {
        try await pool.write { db in
            guard let webhook = try Self.webhook(db, id) else { throw Problem.notFound("webhook", id) }
            try Self.requireActive(webhook)
            let now = self.clock.now(), stamp = Timestamps.format(now)
            let payload = WebhookPayload(id: "evt_ping_" + Identifiers.make("p").dropFirst(2), type: WebhookEvents.ping,
                                         occurred_at: UTCTimestamp.secondsText(now), seq: nil, municipality_id: webhook.municipalityId,
                                         data: .init(id: id, href: "/v1/webhooks/\(id)", resource: "webhook", action: "updated", parent_id: nil))
            let delivery = try Self.insertDelivery(db, webhook: id, eventId: payload.id, event: payload.type, seq: nil, payload: payload.encoded(), now: stamp)
            try Self.recordAudit(db, actor: actor, resource: id, municipality: webhook.municipalityId, now: now)
            return try Self.delivery(db, delivery)!
        }
    }

    /// Queues a delivered or failed delivery again as a new delivery with the same event id (409
    /// `delivery-pending` while it is still being tried, `webhook-inactive` while its subscription is).
    public func redeliver(_ id: String, actor: WriteActor) async throws -> WebhookDelivery {
        try await pool.write { db in
            guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM webhook_deliveries WHERE id = ?"), arguments: [id]) else {
                throw Problem.notFound("delivery", id)
            }
            let old = Self.delivery(row)
            guard let webhook = try Self.webhook(db, old.webhookId) else { throw Problem.notFound("delivery", id) }
            try Self.requireActive(webhook)
            guard old.status != .pending else {
                throw Problem.conflict("delivery-pending", "This delivery is still being tried (next attempt \(old.nextAttemptAt.map(UTCTimestamp.secondsText) ?? "soon")).")
            }
            let made = try Self.insertDelivery(db, webhook: old.webhookId, eventId: old.eventId, event: old.event, seq: old.seq,
                                               payload: row["payload"], redeliveryOf: old.id, now: Timestamps.format(self.clock.now()))
            try Self.recordAudit(db, actor: actor, resource: old.webhookId, municipality: webhook.municipalityId, now: self.clock.now())
            return try Self.delivery(db, made)!
        }
    }

    /// 409 `webhook-inactive` for a paused or disabled subscription.
    static func requireActive(_ webhook: Webhook) throws {
        guard webhook.active else {
            let remedy = webhook.disabledReason == "token revoked" ? "subscribe again with a live token"
                : "re-enable it with PATCH {\"active\": true} first"
            throw Problem.conflict("webhook-inactive", "This subscription is \(webhook.disabledReason ?? "inactive"); \(remedy).")
        }
    }

    static func delivery(_ db: Database, _ id: String) throws -> WebhookDelivery? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM webhook_deliveries WHERE id = ?"), arguments: [id]).map(delivery)
    }

    /// The delivery with its subscription's id, or nil.
    public func delivery(_ id: String) async throws -> WebhookDelivery? {
        try await pool.read { db in try Self.delivery(db, id) }
    }

    /// A subscription's deliveries, newest first, optionally in one state.
    public func deliveries(webhook: String, status: WebhookDelivery.Status?, _ page: PageRequest) async throws -> Page<WebhookDelivery> {
        try await pool.read { db in
            let rows = try Row.fetchAll(db.cachedStatement(sql: """
                SELECT * FROM webhook_deliveries WHERE webhook_id = ?3 AND (?1 = 0 OR seq < ?1) AND (?4 IS NULL OR status = ?4)
                ORDER BY seq DESC LIMIT ?2
                """), arguments: [page.after?.after ?? 0, page.limit + 1, webhook, status?.rawValue])
            let items = rows.prefix(page.limit).map(Self.delivery)
            let next = rows.count > page.limit ? rows.prefix(page.limit).last.map { Cursor(after: $0["seq"]) } : nil
            return Page(items: items, next: next)
        }
    }

    /// For each active subscription that has none in flight (`busy`) and whose token is not at its limit
    /// (`fullTokens`), its oldest pending deliveries if the first is due at `now`, in feed order, up to `batch`
    /// and up to the first that is not due: sent one at a time, in order. At most `limit` subscriptions.
    public func dueDeliveries(now: Date, busy: Set<String>, fullTokens: Set<String> = [], limit: Int, batch: Int = 50) async throws -> [[DueDelivery]] {
        guard limit > 0 else { return [] }
        return try await pool.read { db in
            let stamp = Timestamps.format(now)
            let heads = try Row.fetchAll(db.cachedStatement(sql: """
                SELECT w.id, w.token_id, \(Self.sendingVersion) AS version, w.url, w.secret, w.previous_secret, w.previous_secret_expires_at, d.seq
                FROM webhooks w
                JOIN webhook_deliveries d ON d.seq = (SELECT min(p.seq) FROM webhook_deliveries p WHERE p.webhook_id = w.id AND p.status = 'pending')
                WHERE w.active = 1 AND d.next_attempt_at <= ?
                ORDER BY d.next_attempt_at, d.seq
                """), arguments: [stamp])
            return try heads.lazy.filter { !busy.contains($0["id"]) && !fullTokens.contains($0["token_id"]) }.prefix(limit).map { head in
                var secrets: [String] = [head["secret"]]
                if let previous: String = head["previous_secret"], let until: String = head["previous_secret_expires_at"], until > stamp {
                    secrets.append(previous)
                }
                let rows = try Row.fetchAll(db.cachedStatement(sql: """
                    SELECT seq, id, event_id, payload, attempts, next_attempt_at FROM webhook_deliveries
                    WHERE webhook_id = ? AND status = 'pending' AND seq >= ? ORDER BY seq LIMIT ?
                    """), arguments: [head["id"], head["seq"], batch])
                return rows.prefix { ($0["next_attempt_at"] as String? ?? "") <= stamp }.map { row in
                    DueDelivery(seq: row["seq"], id: row["id"], webhookId: head["id"], eventId: row["event_id"],
                                payload: Data((row["payload"] as String).utf8), attempt: row["attempts"] + 1, url: head["url"], secrets: secrets,
                                tokenId: head["token_id"], version: head["version"])
                }
            }
        }
    }

    /// What a sender must still agree with: the URL and the signing secrets.
    static let sendingVersion = "w.url || char(10) || w.secret || char(10) || coalesce(w.previous_secret, '')"

    /// The subscription's URL and secrets (`sendingVersion`) while it is active; nil once it is paused,
    /// disabled or deleted.
    public func activeWebhookVersion(_ id: String) async throws -> String? {
        try await pool.read { db in
            try String.fetchOne(db.cachedStatement(sql: "SELECT \(Self.sendingVersion) FROM webhooks w WHERE w.id = ? AND w.active = 1"),
                                arguments: [id])
        }
    }

    /// Records attempts in one transaction: delivered, retried after the schedule's wait (and `Retry-After`),
    /// or failed. A subscription whose every attempt has failed for `disableAfter` seconds is disabled with a
    /// reason. `jitter` gives a number from 0 to 1 per retry.
    public func recordAttempts(_ results: [AttemptResult], schedule: RetrySchedule, disableAfter: TimeInterval,
                               jitter: @Sendable () -> Double = { Double.random(in: 0...1) }) async throws {
        guard !results.isEmpty else { return }
        try await pool.write { db in
            let now = self.clock.now(), stamp = Timestamps.format(now)
            for result in results {
                let delivery = result.delivery
                var status = "delivered", next: String?, delivered: String? = stamp
                if result.verdict != .delivered {
                    delivered = nil
                    let wait = result.verdict == .retry ? schedule.wait(after: delivery.attempt, jitter: jitter(), retryAfter: result.retryAfter) : nil
                    // Stored times are whole seconds, read from a clock that may be most of a second on: a second
                    // more keeps a `Retry-After` from being cut short.
                    let margin: TimeInterval = result.retryAfter == nil ? 0 : 1
                    if let wait { (status, next) = ("pending", Timestamps.format(now.addingTimeInterval(wait.rounded(.up) + margin))) } else { status = "failed" }
                }
                try db.cachedStatement(sql: """
                    UPDATE webhook_deliveries SET status = ?, attempts = ?, next_attempt_at = ?, last_attempt_at = ?, last_status_code = ?,
                        last_error = ?, delivered_at = ? WHERE seq = ? AND status = 'pending'
                    """).execute(arguments: [status, delivery.attempt, next, stamp, result.statusCode, result.error, delivered, delivery.seq])
                if result.verdict == .delivered {
                    try db.cachedStatement(sql: "UPDATE webhooks SET failing_since = NULL WHERE id = ?").execute(arguments: [delivery.webhookId])
                    continue
                }
                try db.cachedStatement(sql: "UPDATE webhooks SET failing_since = coalesce(failing_since, ?) WHERE id = ?")
                    .execute(arguments: [stamp, delivery.webhookId])
                let since = Timestamps.format(now.addingTimeInterval(-disableAfter))
                try db.cachedStatement(sql: """
                    UPDATE webhooks SET active = 0, updated_at = ?3,
                        disabled_reason = 'every delivery attempt failed since ' || substr(failing_since, 1, 19) || 'Z (last: ' || ?4 || ')'
                    WHERE id = ?1 AND active = 1 AND failing_since <= ?2
                    """).execute(arguments: [delivery.webhookId, since, stamp, result.error ?? "failed"])
            }
        }
    }

    /// When the earliest retry after `now` falls due (the dispatcher sleeps until then), or nil. Only each active
    /// subscription's oldest pending delivery can be next, so only those are read.
    public func nextWebhookAttempt(after now: Date) async throws -> Date? {
        try await pool.read { db in
            try String.fetchOne(db.cachedStatement(sql: """
                SELECT min(d.next_attempt_at) FROM webhooks w
                JOIN webhook_deliveries d ON d.seq = (SELECT min(p.seq) FROM webhook_deliveries p WHERE p.webhook_id = w.id AND p.status = 'pending')
                WHERE w.active = 1 AND d.next_attempt_at > ?
                """), arguments: [Timestamps.format(now)])
        }.map(Timestamps.parse)
    }

    /// Deletes delivered and failed deliveries older than 30 days.
    func pruneWebhookDeliveries(now: Date) async throws {
        let before = Timestamps.format(now.addingTimeInterval(-Self.deliveryRetention))
        let any = try await pool.read { db in
            try Bool.fetchOne(db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM webhook_deliveries WHERE status <> 'pending' AND created_at < ?)"),
                              arguments: [before]) ?? false
        }
        guard any else { return }
        try await pool.write { db in
            try db.cachedStatement(sql: "DELETE FROM webhook_deliveries WHERE status <> 'pending' AND created_at < ?").execute(arguments: [before])
        }
    }

    /// When the oldest finished delivery reaches 30 days, for the scheduler.
    func nextDeliveryPrune() async throws -> Date? {
        try await pool.read { db in
            try String.fetchOne(db.cachedStatement(sql: "SELECT min(created_at) FROM webhook_deliveries WHERE status <> 'pending'"))
        }.map { Timestamps.parse($0).addingTimeInterval(Self.deliveryRetention + 1) }
    }

    /// The queue's depth and the age of its oldest pending delivery, for `/metrics`.
    public func webhookQueueStats() async throws -> WebhookQueueStats {
        try await pool.read { db in
            let row = try Row.fetchOne(db.cachedStatement(sql: """
                SELECT count(*) AS depth, min(d.created_at) AS oldest FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
                WHERE d.status = 'pending' AND w.active = 1
                """))
            let oldest = (row?["oldest"] as String?).map(Timestamps.parse)
            return WebhookQueueStats(depth: row?["depth"] ?? 0, oldestPendingAge: oldest.map { max(0, self.clock.now().timeIntervalSince($0)) } ?? 0)
        }
    }
}
