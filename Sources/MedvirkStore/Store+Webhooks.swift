import Foundation
import GRDB
import MedvirkCore

/// Subscriptions one token may keep.
let maxWebhooksPerToken = 50

extension Store {
    static func webhook(_ row: Row) throws -> Webhook {
        Webhook(id: row["id"], tokenId: row["token_id"], municipalityId: row["municipality_id"], url: row["url"],
                events: try JSONColumn.decodeList(String.self, row["events"]), description: row["description"],
                active: row["active"], disabledReason: row["disabled_reason"],
                previousSecretExpiresAt: (row["previous_secret_expires_at"] as String?).map(Timestamps.parse),
                createdAt: Timestamps.parse(row["created_at"]), updatedAt: Timestamps.parse(row["updated_at"]))
    }

    /// Stores a subscription that starts after the newest feed entry, and returns it with its new signing
    /// secret (`whsec_…`), which is stored to sign and never shown again. 422 for an unknown municipality,
    /// 409 `too-many-webhooks` past 50 per token. The URL's address is the caller's to check first.
    public func createWebhook(_ draft: WebhookDraft, token: TokenInfo, actor: WriteActor) async throws -> (Webhook, secret: String) {
        let secret = WebhookSignature.newSecret()
        return try await pool.write { db in
            if let municipality = draft.municipalityId, try Self.liveMunicipality(db, municipality) == nil {
                throw Problem.validation([FieldError("municipality_id", "no municipality '\(municipality)'")])
            }
            let count = try Int.fetchOne(db.cachedStatement(sql: "SELECT count(*) FROM webhooks WHERE token_id = ?"), arguments: [token.id]) ?? 0
            guard count < maxWebhooksPerToken else {
                throw Problem.conflict("too-many-webhooks", "A token keeps at most \(maxWebhooksPerToken) webhook subscriptions; delete one first.")
            }
            let id = Identifiers.make("whk"), stamp = Timestamps.format(self.clock.now())
            try db.cachedStatement(sql: """
                INSERT INTO webhooks (id, token_id, municipality_id, url, events, description, secret, cursor, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, (SELECT coalesce(max(seq), 0) FROM changes), ?, ?)
                """).execute(arguments: [id, token.id, draft.municipalityId, draft.url, JSONColumn.encode(draft.events), draft.description,
                                         secret, stamp, stamp])
            try Self.recordAudit(db, actor: actor, resource: id, municipality: draft.municipalityId, now: self.clock.now())
            return (try Self.webhook(db, id)!, secret)
        }
    }

    static func webhook(_ db: Database, _ id: String) throws -> Webhook? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM webhooks WHERE id = ?"), arguments: [id]).map(webhook)
    }

    public func webhook(_ id: String) async throws -> Webhook? {
        try await pool.read { db in try Self.webhook(db, id) }
    }

    /// The subscriptions `token` may manage, oldest first: its own, and for an admin those of the
    /// municipalities it administers (all of them for an all-municipality admin).
    public func webhooks(managedBy token: TokenInfo, _ page: PageRequest) async throws -> Page<Webhook> {
        try await pool.read { db in
            let rows = try Row.fetchAll(db.cachedStatement(sql: """
                SELECT * FROM webhooks WHERE seq > ?1 AND (token_id = ?3 OR (?4 AND (?5 OR municipality_id IN (SELECT value FROM json_each(?6)))))
                ORDER BY seq LIMIT ?2
                """), arguments: [page.after?.after ?? 0, page.limit + 1, token.id, token.scope == .admin, token.municipalities.isEmpty,
                                  JSONColumn.encode(token.municipalities)])
            let items = try rows.prefix(page.limit).map(Self.webhook)
            let next = rows.count > page.limit ? rows.prefix(page.limit).last.map { Cursor(after: $0["seq"]) } : nil
            return Page(items: items, next: next)
        }
    }

    /// Applies new settings; `active` true re-enables (409 `token-revoked` when its token is revoked), false
    /// pauses.
    public func updateWebhook(_ id: String, _ draft: WebhookDraft, active: Bool?, actor: WriteActor) async throws -> Webhook {
        try await pool.write { db in
            guard let current = try Self.webhook(db, id) else { throw Problem.notFound("webhook", id) }
            let stamp = Timestamps.format(self.clock.now())
            var (isActive, reason) = (current.active, current.disabledReason)
            switch active {
            case true?:
                let revoked = try Bool.fetchOne(db.cachedStatement(sql: "SELECT revoked_at IS NOT NULL FROM tokens WHERE id = ?"),
                                                arguments: [current.tokenId]) ?? true
                if revoked { throw Problem.conflict("token-revoked", "The token this subscription was created with is revoked; subscribe again with a live token.") }
                (isActive, reason) = (true, nil)
            case false?: (isActive, reason) = (false, current.active ? "paused" : current.disabledReason)
            case nil: break
            }
            try db.cachedStatement(sql: """
                UPDATE webhooks SET url = ?, events = ?, description = ?, active = ?, disabled_reason = ?,
                    failing_since = CASE WHEN ? THEN NULL ELSE failing_since END, updated_at = ? WHERE id = ?
                """).execute(arguments: [draft.url, JSONColumn.encode(draft.events), draft.description, isActive, reason,
                                         active == true, stamp, id])
            try Self.recordAudit(db, actor: actor, resource: id, municipality: current.municipalityId, now: self.clock.now())
            return try Self.webhook(db, id)!
        }
    }

    /// Deletes a subscription with its deliveries; false when there was none.
    public func deleteWebhook(_ id: String, actor: WriteActor) async throws -> Bool {
        try await pool.write { db in
            guard let current = try Self.webhook(db, id) else { return false }
            try db.cachedStatement(sql: "DELETE FROM webhook_deliveries WHERE webhook_id = ?").execute(arguments: [id])
            try db.cachedStatement(sql: "DELETE FROM webhooks WHERE id = ?").execute(arguments: [id])
            try Self.recordAudit(db, actor: actor, resource: id, municipality: current.municipalityId, now: self.clock.now())
            return true
        }
    }

    /// 24 hours: how long the secret before a rotation keeps signing beside the new one.
    public static let secretOverlap: TimeInterval = 86_400

    /// A new signing secret; the current one signs beside it for 24 hours (a second rotation within them drops
    /// the oldest).
    public func rotateWebhookSecret(_ id: String, actor: WriteActor) async throws -> (Webhook, secret: String) {
        let secret = WebhookSignature.newSecret()
        return try await pool.write { db in
            let now = self.clock.now()
            try db.cachedStatement(sql: """
                UPDATE webhooks SET previous_secret = secret, previous_secret_expires_at = ?, secret = ?, updated_at = ? WHERE id = ?
                """).execute(arguments: [Timestamps.format(now.addingTimeInterval(Self.secretOverlap)), secret, Timestamps.format(now), id])
            guard let webhook = try Self.webhook(db, id) else { throw Problem.notFound("webhook", id) }
            try Self.recordAudit(db, actor: actor, resource: id, municipality: webhook.municipalityId, now: now)
            return (webhook, secret)
        }
    }
}
