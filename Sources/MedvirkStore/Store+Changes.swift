import Foundation
import GRDB
import MedvirkCore

/// A resource a write touched, and what happened to it as its administrators see it.
struct Change: Hashable {
    var type: ChangeType
    var id: String
    /// nil: the resource itself did not change; only whether the public may read it is checked again.
    var action: ChangeAction?
    /// Also check again what the public may read of the resources that hang off this one
    /// (a meeting's agenda, minutes and decisions; a consultation's parties and responses).
    var withDependents = false
    /// Created in a state the public never reads (a response arrives unmoderated): its visibility needs no
    /// lookups, which matters on the submission path, where every statement runs inside the single writer.
    var createdPrivate = false
    /// Changed in a way that cannot change whether the public may read it (a new response changes its
    /// consultation's counts, never its status): one lookup, of what the feed announced, instead of two.
    var keepsVisibility = false
    /// Changed only in what administrators see (a response's analysis): an event in their feed, none in the public's.
    var adminOnly = false
    /// The event's name when the write knows it better than `ChangeEvent.name` can tell from the actions
    /// (a consultation withdrawn, a response withheld, minutes approved).
    var event: String?
    /// The partner token the event concerns, when the write knows it (a new response's submitter); else it is
    /// looked up (`Store.partnerOf`).
    var partnerToken: String?

    static func created(_ type: ChangeType, _ id: String) -> Change { Change(type: type, id: id, action: .created) }
    static func updated(_ type: ChangeType, _ id: String) -> Change { Change(type: type, id: id, action: .updated) }
    static func deleted(_ type: ChangeType, _ id: String) -> Change { Change(type: type, id: id, action: .deleted) }
    static func visibility(_ type: ChangeType, _ id: String) -> Change { Change(type: type, id: id, action: nil) }
    static func createdPrivate(_ type: ChangeType, _ id: String) -> Change {
        Change(type: type, id: id, action: .created, createdPrivate: true)
    }

    static func updatedPrivately(_ type: ChangeType, _ id: String) -> Change {
        Change(type: type, id: id, action: .updated, keepsVisibility: true, adminOnly: true)
    }

    static func updatedKeepingVisibility(_ type: ChangeType, _ id: String) -> Change {
        Change(type: type, id: id, action: .updated, keepsVisibility: true)
    }

    func cascading() -> Change {
        var change = self
        change.withDependents = true
        return change
    }

    /// The same change, concerning the partner token `token` (a response's submitter).
    func concerning(_ token: String) -> Change {
        var change = self
        change.partnerToken = token
        return change
    }

    /// The same change, announced as `event`.
    func named(_ event: String?) -> Change {
        var change = self
        change.event = event ?? change.event
        return change
    }
}

extension Store {
    // MARK: What the public may read (see `Readable`)

    /// The resource a member, agenda item or party is addressed under.
    static let parentOf: [ChangeType: String] = [
        .member: "SELECT council_id FROM members WHERE id = ?",
        .agendaItem: "SELECT meeting_id FROM agenda_items WHERE id = ?",
        .party: "SELECT consultation_id FROM parties WHERE id = ?",
        .theme: "SELECT consultation_id FROM themes WHERE id = ?",
        .memo: "SELECT consultation_id FROM memo_versions WHERE id = ?",
    ]

    /// The partner token a response concerns: its submitter, who may always read it (its receipt). A party's
    /// partner learns of it from the public view, once its consultation is public (drafts stay unseen).
    static let partnerOf: [ChangeType: String] = [
        .response: "SELECT token_id FROM responses WHERE id = ?",
    ]

    /// The resources whose public visibility follows another's.
    static let dependents: [ChangeType: String] = [
        .meeting: """
            SELECT 'agenda_item', id FROM agenda_items WHERE meeting_id = ?1
            UNION ALL SELECT 'minutes', meeting_id FROM minutes WHERE meeting_id = ?1
            UNION ALL SELECT 'decision', id FROM decisions WHERE meeting_id = ?1
            UNION ALL SELECT 'file', id FROM files WHERE owner_id = ?1
            UNION ALL SELECT 'file', f.id FROM agenda_items a JOIN files f ON f.owner_id = a.id WHERE a.meeting_id = ?1
            """,
        .consultation: """
            SELECT 'party', id FROM parties WHERE consultation_id = ?1
            UNION ALL SELECT 'response', id FROM responses WHERE consultation_id = ?1
            UNION ALL SELECT 'file', id FROM files WHERE owner_id = ?1
            UNION ALL SELECT 'file', f.id FROM responses r JOIN files f ON f.owner_id = r.id WHERE r.consultation_id = ?1
            UNION ALL SELECT 'memo', id FROM memo_versions WHERE consultation_id = ?1
            """,
        .agendaItem: """
            SELECT 'decision', id FROM decisions WHERE agenda_item_id = ?1
            UNION ALL SELECT 'file', id FROM files WHERE owner_id = ?1
            """,
        .response: "SELECT 'file', id FROM files WHERE owner_id = ?1",
    ]

    // MARK: Recording

    /// Appends the feed entries of a write, inside the caller's transaction. Each touched resource's public
    /// visibility is compared with what the public feed announced before: appearing is `created` for the
    /// public, disappearing is `deleted`, and a change to a resource that stays readable is `updated`.
    static func recordChanges(_ db: Database, municipality: String, _ changes: [Change], now: Date) throws {
        var touched = changes
        var seen = Set(changes.map { "\($0.type.rawValue)/\($0.id)" })
        for change in changes where change.withDependents {
            guard let sql = dependents[change.type] else { continue }
            for row in try Row.fetchAll(db.cachedStatement(sql: sql), arguments: [change.id]) {
                guard let type = ChangeType(rawValue: row[0]) else { continue }
                let id: String = row[1]
                if seen.insert("\(type.rawValue)/\(id)").inserted { touched.append(.visibility(type, id)) }
            }
        }
        let at = Timestamps.format(now)
        for change in touched {
            let wasPublic = try !change.createdPrivate && Bool.fetchOne(
                db.cachedStatement(sql: "SELECT 1 FROM public_resources WHERE type = ? AND resource_id = ?"),
                arguments: [change.type.rawValue, change.id]) ?? false
            let isPublic = try change.keepsVisibility ? wasPublic
                : !change.createdPrivate && isReadable(db, change.type, change.id, by: .anyone, now: now)
            let publicAction: ChangeAction?
            switch (wasPublic, isPublic) {
            case (false, true):
                publicAction = .created
                try db.cachedStatement(sql: "INSERT INTO public_resources (type, resource_id) VALUES (?, ?)").execute(arguments: [change.type.rawValue, change.id])
            case (true, false):
                publicAction = .deleted
                try db.cachedStatement(sql: "DELETE FROM public_resources WHERE type = ? AND resource_id = ?").execute(arguments: [change.type.rawValue, change.id])
            case (true, true):
                publicAction = change.action == nil || change.adminOnly ? nil : .updated
            case (false, false):
                publicAction = nil
            }
            guard change.action != nil || publicAction != nil else { continue }
            let parent = try parentOf[change.type].flatMap { try String.fetchOne(db.cachedStatement(sql: $0), arguments: [change.id]) }
            let event = change.event ?? ChangeEvent.name(change.type, action: change.action, publicAction: publicAction)
            // The partner it concerns sees it too, but never what only administrators see (the analysis).
            let partner = change.adminOnly ? nil : try change.partnerToken
                ?? partnerOf[change.type].flatMap { try String.fetchOne(db.cachedStatement(sql: $0), arguments: [change.id]) }
            try db.cachedStatement(sql: """
                INSERT INTO changes (at, municipality_id, type, resource_id, parent_id, action, public_action, event, partner_token_id)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [at, municipality, change.type.rawValue, change.id, parent, change.action?.rawValue, publicAction?.rawValue,
                                         event, partner])
        }
    }

    /// Published responses that the public may read now that their consultation's deadline has passed,
    /// and that the feed has not announced yet.
    static let responsesDue = """
        SELECT r.id, r.municipality_id FROM consultations c JOIN responses r ON r.consultation_id = c.id
        WHERE c.publish_responses = 'after_deadline' AND c.closes_at <= ?1 AND \(Readable.publicCondition(.response, "r", now: "?1"))
          AND NOT EXISTS (SELECT 1 FROM public_resources p WHERE p.type = 'response' AND p.resource_id = r.id)
        ORDER BY r.seq
        """

    /// No write happens when a deadline passes, so the scheduler records the responses a deadline released
    /// (`Store.timedJobs`). Safe to run twice: the query skips responses already announced.
    func releaseDueResponses(now: Date) async throws {
        // Returns a Bool, not rows: `Row` is not Sendable, and with it this resolved to GRDB's blocking `read`,
        // which holds a cooperative thread while waiting for a reader.
        let anyDue = try await pool.read { db in
            try Row.fetchOne(db.cachedStatement(sql: Self.responsesDue), arguments: [Timestamps.format(now)]) != nil
        }
        guard anyDue else { return }
        try await pool.write { db in
            let rows = try Row.fetchAll(db.cachedStatement(sql: Self.responsesDue), arguments: [Timestamps.format(now)])
            for (municipality, group) in Dictionary(grouping: rows, by: { $0["municipality_id"] as String }).sorted(by: { $0.key < $1.key }) {
                try Self.recordWrite(db, actor: nil, municipality: municipality, group.map { Change.visibility(.response, $0["id"]).cascading() }, now: now)
            }
        }
    }

    /// The next deadline after `now` that will release responses to the public; nil when none is set.
    func nextResponseRelease(after now: Date) async throws -> Date? {
        try await pool.read { db in
            try String.fetchOne(db.cachedStatement(sql: """
                SELECT min(closes_at) FROM consultations
                WHERE publish_responses = 'after_deadline' AND closes_at > ? AND deleted_at IS NULL
                """), arguments: [Timestamps.format(now)])
        }.map(Timestamps.parse)
    }

    /// Every live resource, oldest first, for a database that had data before the feed existed.
    static let everything: [(ChangeType, String)] = [
        (.municipality, "SELECT id, id FROM municipalities WHERE deleted_at IS NULL ORDER BY rowid"),
        (.serviceArea, "SELECT id, municipality_id FROM service_areas WHERE deleted_at IS NULL ORDER BY rowid"),
        (.council, "SELECT id, municipality_id FROM councils WHERE deleted_at IS NULL ORDER BY rowid"),
        (.member, "SELECT x.id, c.municipality_id FROM members x JOIN councils c ON c.id = x.council_id WHERE x.deleted_at IS NULL AND c.deleted_at IS NULL ORDER BY x.rowid"),
        (.consultation, "SELECT id, municipality_id FROM consultations WHERE deleted_at IS NULL ORDER BY rowid"),
        (.party, "SELECT p.id, c.municipality_id FROM parties p JOIN consultations c ON c.id = p.consultation_id WHERE p.deleted_at IS NULL ORDER BY p.rowid"),
        (.response, "SELECT id, municipality_id FROM responses ORDER BY rowid"),
        (.meeting, "SELECT id, municipality_id FROM meetings WHERE deleted_at IS NULL ORDER BY rowid"),
        (.agendaItem, "SELECT a.id, m.municipality_id FROM agenda_items a JOIN meetings m ON m.id = a.meeting_id WHERE a.deleted_at IS NULL AND m.deleted_at IS NULL ORDER BY a.rowid"),
        (.minutes, "SELECT n.meeting_id, m.municipality_id FROM minutes n JOIN meetings m ON m.id = n.meeting_id WHERE m.deleted_at IS NULL ORDER BY n.rowid"),
        (.decision, "SELECT d.id, m.municipality_id FROM decisions d JOIN meetings m ON m.id = d.meeting_id ORDER BY d.rowid"),
        (.dialogueChannel, "SELECT id, municipality_id FROM dialogue_channels WHERE deleted_at IS NULL ORDER BY rowid"),
        (.file, "SELECT id, municipality_id FROM files ORDER BY seq"),
    ]

    /// Starts the feed of a database written before it existed with a `created` event per live resource.
    static func backfillChanges(_ db: Database, now: Date) throws {
        guard try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM changes LIMIT 1")) != true,
              try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM municipalities LIMIT 1")) == true
        else { return }
        for (type, sql) in everything {
            for row in try Row.fetchAll(db.cachedStatement(sql: sql)) {
                try recordChanges(db, municipality: row[1], [.created(type, row[0])], now: now)
            }
        }
    }

    // MARK: Reading

    /// A page of the feed after `after`. `adminOf` lists the municipalities whose every event the caller sees
    /// (nil: all); elsewhere the caller sees the public events, and a partner (`partner`, its token id) also
    /// the events about its own responses and the parties linked to it.
    public func changes(municipality: String?, after: Int64, limit: Int, adminOf: [String]?, partner: String? = nil) async throws -> ChangePage {
        try await pool.read { db in
            if let municipality, try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM municipalities WHERE id = ?"), arguments: [municipality]) != true {
                throw Problem.notFound("municipality", municipality)
            }
            let events = try Self.visibleChanges(db, municipality: municipality, after: after, limit: limit, adminOf: adminOf, partner: partner)
            // An empty page hands back the cursor it was given, so a consumer polls with it again.
            return ChangePage(events: events, next: events.last?.seq ?? after)
        }
    }

    /// The feed entries after `after` as one caller sees them (`changes`' view rules), oldest first; webhook
    /// subscriptions read on through their token's view with this too.
    static func visibleChanges(_ db: Database, municipality: String?, after: Int64, limit: Int, adminOf: [String]?,
                               partner: String?) throws -> [ChangeEvent] {
        let shown: String
        var arguments: [(any DatabaseValueConvertible)?] = [after, limit, municipality]
        switch adminOf {
        case nil: shown = "action"
        case let list? where list.isEmpty:
            shown = partner == nil ? "public_action" : "CASE WHEN partner_token_id = ?4 THEN coalesce(action, public_action) ELSE public_action END"
            if let partner { arguments.append(partner) }
        case let list?:
            shown = "CASE WHEN municipality_id IN (SELECT value FROM json_each(?4)) THEN action ELSE public_action END"
            arguments.append(JSONColumn.encode(list))
        }
        let rows = try Row.fetchAll(db.cachedStatement(sql: """
            SELECT * FROM (
                SELECT seq, at, municipality_id, type, resource_id, parent_id, event, partner_token_id, \(shown) AS shown FROM changes
                WHERE seq > ?1 AND (?3 IS NULL OR municipality_id = ?3)
            ) WHERE shown IS NOT NULL ORDER BY seq LIMIT ?2
            """), arguments: StatementArguments(arguments))
        return rows.compactMap { row -> ChangeEvent? in
            guard let type = ChangeType(rawValue: row["type"]), let action = ChangeAction(rawValue: row["shown"]) else { return nil }
            var event = ChangeEvent(seq: row["seq"], at: Timestamps.parse(row["at"]), municipalityId: row["municipality_id"],
                                    type: type, id: row["resource_id"], parentId: row["parent_id"], action: action,
                                    event: row["event"] ?? ChangeEvent.name(type, action: action, publicAction: nil))
            event.partnerTokenId = row["partner_token_id"]
            return event
        }
    }
}
