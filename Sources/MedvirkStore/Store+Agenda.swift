import Foundation
import GRDB
import MedvirkCore

extension Store {
    static func agendaItem(_ row: Row) throws -> AgendaItem { try AgendaItemRecord(row: row).agendaItem }

    static func liveAgendaItem(_ db: Database, _ id: String, meeting: String) throws -> AgendaItem? {
        try AgendaItemRecord.live(db, id, meeting: meeting)?.agendaItem
    }

    public func agendaItem(_ id: String, meeting: String) async throws -> AgendaItem? {
        try await pool.read { db in try Self.liveAgendaItem(db, id, meeting: meeting) }
    }

    /// The agenda in order. Positions are 1...n without gaps, so the cursor is simply the last position.
    public func agenda(meeting: String, _ page: PageRequest) async throws -> Page<AgendaItem> {
        try await pool.read { db in
            let records = try AgendaItemRecord.fetchAll(db, sql: """
                SELECT * FROM agenda_items
                WHERE meeting_id = ?3 AND deleted_at IS NULL AND position > ?1 ORDER BY position LIMIT ?2
                """, arguments: [page.after?.after ?? 0, page.limit + 1, meeting])
            let items = records.prefix(page.limit).map(\.agendaItem)
            let next = records.count > page.limit ? items.last.map { Cursor(after: Int64($0.position)) } : nil
            return Page(items: items, next: next)
        }
    }

    /// Numbers the live rows of `table` under one parent (`parentColumn` = `parent`) 1, 2, 3… with `id`
    /// placed at `position` (last when nil) and the rest closing ranks around it, as agenda items and a
    /// consultation's themes are numbered; returns the other rows that moved.
    @discardableResult
    static func renumber(_ db: Database, _ table: String, _ parentColumn: String, _ parent: String, live: String = "1",
                         placing id: String?, at position: Int?) throws -> [String] {
        let rows = try Row.fetchAll(db, sql: """
            SELECT id, position FROM \(table) WHERE \(parentColumn) = ? AND \(live) ORDER BY position, seq
            """, arguments: [parent])
        let before = Dictionary(uniqueKeysWithValues: rows.map { ($0["id"] as String, $0["position"] as Int) })
        var ids = rows.map { $0["id"] as String }
        if let id {
            ids.removeAll { $0 == id }
            let index = min(max((position ?? (ids.count + 1)) - 1, 0), ids.count)
            ids.insert(id, at: index)
        }
        var moved: [String] = []
        for (index, rowId) in ids.enumerated() where before[rowId] != index + 1 {
            try db.execute(sql: "UPDATE \(table) SET position = ? WHERE id = ?", arguments: [index + 1, rowId])
            if rowId != id { moved.append(rowId) }
        }
        return moved
    }

    /// The agenda of a meeting, renumbered (`renumber`).
    @discardableResult
    static func renumber(_ db: Database, meeting: String, placing id: String?, at position: Int?) throws -> [String] {
        try renumber(db, "agenda_items", "meeting_id", meeting, live: "deleted_at IS NULL", placing: id, at: position)
    }

    public func createAgendaItem(meeting meetingId: String, _ draft: AgendaItemDraft, actor: WriteActor) async throws -> AgendaItem {
        try draft.validate()
        return try await pool.write { db in
            guard let meeting = try Self.liveMeeting(db, meetingId) else { throw Problem.notFound("meeting", meetingId) }
            try Self.checkReferences(db, References(municipalityId: meeting.draft.municipalityId, consultationId: draft.consultationId))
            let now = self.clock.now()
            // Stored last, then moved to its place.
            let id = Identifiers.make("itm")
            var draft = draft
            let files: [Change]
            (draft.documents, files) = try Self.attachDocuments(db, owner: .agendaItem, id, municipality: meeting.draft.municipalityId, old: [],
                                                                new: draft.documents, now: now)
            let record = AgendaItemRecord(id: id, meetingId: meetingId, position: 100_000, draft: draft, createdAt: now, updatedAt: now)
            try record.insert(db)
            let moved = try Self.renumber(db, meeting: meetingId, placing: record.id, at: draft.position)
            try Self.recordWrite(db, actor: actor, municipality: meeting.draft.municipalityId,
                                 [.created(.agendaItem, record.id)] + moved.map { .updated(.agendaItem, $0) } + files, now: now)
            return try Self.liveAgendaItem(db, record.id, meeting: meetingId)!
        }
    }

    public func updateAgendaItem(_ id: String, meeting meetingId: String, _ draft: AgendaItemDraft, actor: WriteActor) async throws -> AgendaItem {
        try draft.validate()
        return try await pool.write { db in
            guard let meeting = try Self.liveMeeting(db, meetingId) else { throw Problem.notFound("meeting", meetingId) }
            guard let current = try AgendaItemRecord.live(db, id, meeting: meetingId) else { throw Problem.notFound("agenda item", id) }
            try Self.checkReferences(db, References(municipalityId: meeting.draft.municipalityId, consultationId: draft.consultationId))
            if draft.isPublic && !current.public {
                // Opening a closed item publishes the decisions recorded on it.
                let texts = try Row.fetchAll(db, sql: "SELECT text, feedback FROM decisions WHERE agenda_item_id = ?", arguments: [id])
                let found = texts.contains { [$0["text"], $0["feedback"]].contains { (text: String?) in text.map(NationalIdScreening.containsNationalId) ?? false } }
                if found {
                    throw Problem.validation([FieldError("public", "a decision recorded on this item contains what looks like a CPR number or fødselsnummer; it would be published")])
                }
            }
            let now = self.clock.now()
            var draft = draft
            let files: [Change]
            (draft.documents, files) = try Self.attachDocuments(db, owner: .agendaItem, id, municipality: meeting.draft.municipalityId,
                                                                old: current.documents, new: draft.documents, now: now)
            try current.updated(draft, at: now).update(db)
            var moved: [String] = []
            if let position = draft.position, position != current.position {
                moved = try Self.renumber(db, meeting: meetingId, placing: id, at: position)
            }
            try Self.recordWrite(db, actor: actor, municipality: meeting.draft.municipalityId,
                                 [Change.updated(.agendaItem, id).cascading()] + moved.map { .updated(.agendaItem, $0) } + files, now: now)
            return try Self.liveAgendaItem(db, id, meeting: meetingId)!
        }
    }

    public func deleteAgendaItem(_ id: String, meeting meetingId: String, actor: WriteActor) async throws {
        try await pool.write { db in
            guard let meeting = try Self.liveMeeting(db, meetingId) else { throw Problem.notFound("meeting", meetingId) }
            guard var record = try AgendaItemRecord.live(db, id, meeting: meetingId) else { throw Problem.notFound("agenda item", id) }
            if try Int.fetchOne(db, sql: "SELECT count(*) FROM decisions WHERE agenda_item_id = ?", arguments: [id]) ?? 0 > 0 {
                throw Problem.conflict("agenda-item-has-decisions", "The item has recorded decisions and stays on the agenda.")
            }
            let now = self.clock.now()
            (record.deletedAt, record.updatedAt) = (now, now)
            try record.update(db)
            let files = try Self.attachDocuments(db, owner: .agendaItem, id, municipality: meeting.draft.municipalityId,
                                                 old: record.documents, new: [], now: now).changes
            let moved = try Self.renumber(db, meeting: meetingId, placing: nil, at: nil)
            try Self.recordWrite(db, actor: actor, municipality: meeting.draft.municipalityId,
                                 [.deleted(.agendaItem, id)] + moved.map { .updated(.agendaItem, $0) } + files, now: now)
        }
    }
}
