import Foundation
import GRDB
import MedvirkCore

extension Store {
    static func agendaItem(_ row: Row) throws -> AgendaItem {
        let draft = AgendaItemDraft(
            position: row["position"], title: row["title"], description: row["description"],
            kind: AgendaItemKind(rawValue: row["kind"]) ?? .information, isPublic: row["public"],
            documents: try JSONColumn.decode([ConsultationDocument].self, row["documents"]), consultationId: row["consultation_id"])
        return AgendaItem(id: row["id"], meetingId: row["meeting_id"], position: row["position"], draft: draft)
    }

    static func liveAgendaItem(_ db: Database, _ id: String, meeting: String) throws -> AgendaItem? {
        try Row.fetchOne(db, sql: "SELECT * FROM agenda_items WHERE id = ? AND meeting_id = ? AND deleted_at IS NULL",
                         arguments: [id, meeting]).map(agendaItem)
    }

    public func agendaItem(_ id: String, meeting: String) async throws -> AgendaItem? {
        try await pool.read { db in try Self.liveAgendaItem(db, id, meeting: meeting) }
    }

    /// The agenda in order. Positions are 1...n without gaps, so the cursor is simply the last position.
    public func agenda(meeting: String, _ page: PageRequest) async throws -> Page<AgendaItem> {
        try await pool.read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT *, position AS cursor_position FROM agenda_items
                WHERE meeting_id = ?3 AND deleted_at IS NULL AND position > ?1 ORDER BY position LIMIT ?2
                """, arguments: [page.after?.after ?? 0, page.limit + 1, meeting])
            let items = try rows.prefix(page.limit).map(Self.agendaItem)
            let next = rows.count > page.limit ? items.last.map { Cursor(after: Int64($0.position)) } : nil
            return Page(items: items, next: next)
        }
    }

    /// Moves the live items of a meeting so that `id` sits at `position` and the rest close ranks around it.
    /// Numbers the live items 1, 2, 3… with `id` placed at `position`; returns the other items that moved.
    @discardableResult
    static func renumber(_ db: Database, meeting: String, placing id: String?, at position: Int?) throws -> [String] {
        let rows = try Row.fetchAll(db, sql: """
            SELECT id, position FROM agenda_items WHERE meeting_id = ? AND deleted_at IS NULL ORDER BY position, seq
            """, arguments: [meeting])
        let before = Dictionary(uniqueKeysWithValues: rows.map { ($0["id"] as String, $0["position"] as Int) })
        var ids = rows.map { $0["id"] as String }
        if let id {
            ids.removeAll { $0 == id }
            let index = min(max((position ?? (ids.count + 1)) - 1, 0), ids.count)
            ids.insert(id, at: index)
        }
        var moved: [String] = []
        for (index, itemId) in ids.enumerated() where before[itemId] != index + 1 {
            try db.execute(sql: "UPDATE agenda_items SET position = ? WHERE id = ?", arguments: [index + 1, itemId])
            if itemId != id { moved.append(itemId) }
        }
        return moved
    }

    static func checkAgendaReferences(_ db: Database, _ draft: AgendaItemDraft, meeting: Meeting) throws {
        if let consultationId = draft.consultationId,
           try liveConsultation(db, consultationId)?.draft.municipalityId != meeting.draft.municipalityId {
            throw Problem.validation([FieldError("consultation_id", "no consultation '\(consultationId)' in this municipality")])
        }
    }

    public func createAgendaItem(meeting meetingId: String, _ draft: AgendaItemDraft, actor: WriteActor) async throws -> AgendaItem {
        try draft.validate()
        return try await pool.write { db in
            guard let meeting = try Self.liveMeeting(db, meetingId) else { throw Problem.notFound("meeting", meetingId) }
            try Self.checkAgendaReferences(db, draft, meeting: meeting)
            let id = Identifiers.make("itm")
            let now = Timestamps.format(self.clock.now())
            try db.execute(sql: """
                INSERT INTO agenda_items (id, meeting_id, position, title, description, kind, public, documents, consultation_id, created_at, updated_at)
                VALUES (?, ?, 100000, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [id, meetingId, draft.title, draft.description, draft.kind.rawValue, draft.isPublic,
                                 JSONColumn.encode(draft.documents), draft.consultationId, now, now])
            let moved = try Self.renumber(db, meeting: meetingId, placing: id, at: draft.position)
            try Self.recordWrite(db, actor: actor, municipality: meeting.draft.municipalityId,
                                 [.created(.agendaItem, id)] + moved.map { .updated(.agendaItem, $0) }, now: self.clock.now())
            return try Self.liveAgendaItem(db, id, meeting: meetingId)!
        }
    }

    public func updateAgendaItem(_ id: String, meeting meetingId: String, _ draft: AgendaItemDraft, actor: WriteActor) async throws -> AgendaItem {
        try draft.validate()
        return try await pool.write { db in
            guard let meeting = try Self.liveMeeting(db, meetingId) else { throw Problem.notFound("meeting", meetingId) }
            guard let current = try Self.liveAgendaItem(db, id, meeting: meetingId) else { throw Problem.notFound("agenda item", id) }
            try Self.checkAgendaReferences(db, draft, meeting: meeting)
            if draft.isPublic && !current.draft.isPublic {
                // Opening a closed item publishes the decisions recorded on it.
                let texts = try Row.fetchAll(db, sql: "SELECT text, feedback FROM decisions WHERE agenda_item_id = ?", arguments: [id])
                let found = texts.contains { [$0["text"], $0["feedback"]].contains { (text: String?) in text.map(NationalIdScreening.containsNationalId) ?? false } }
                if found {
                    throw Problem.validation([FieldError("public", "a decision recorded on this item contains what looks like a CPR number or fødselsnummer; it would be published")])
                }
            }
            try db.execute(sql: """
                UPDATE agenda_items SET title = ?, description = ?, kind = ?, public = ?, documents = ?, consultation_id = ?, updated_at = ?
                WHERE id = ?
                """, arguments: [draft.title, draft.description, draft.kind.rawValue, draft.isPublic, JSONColumn.encode(draft.documents),
                                 draft.consultationId, Timestamps.format(self.clock.now()), id])
            var moved: [String] = []
            if let position = draft.position, position != current.position {
                moved = try Self.renumber(db, meeting: meetingId, placing: id, at: position)
            }
            try Self.recordWrite(db, actor: actor, municipality: meeting.draft.municipalityId,
                                 [Change.updated(.agendaItem, id).cascading()] + moved.map { .updated(.agendaItem, $0) }, now: self.clock.now())
            return try Self.liveAgendaItem(db, id, meeting: meetingId)!
        }
    }

    public func deleteAgendaItem(_ id: String, meeting meetingId: String, actor: WriteActor) async throws {
        try await pool.write { db in
            guard let meeting = try Self.liveMeeting(db, meetingId) else { throw Problem.notFound("meeting", meetingId) }
            guard try Self.liveAgendaItem(db, id, meeting: meetingId) != nil else { throw Problem.notFound("agenda item", id) }
            if try Int.fetchOne(db, sql: "SELECT count(*) FROM decisions WHERE agenda_item_id = ?", arguments: [id]) ?? 0 > 0 {
                throw Problem.conflict("agenda-item-has-decisions", "The item has recorded decisions and stays on the agenda.")
            }
            let now = Timestamps.format(self.clock.now())
            try db.execute(sql: "UPDATE agenda_items SET deleted_at = ?, updated_at = ? WHERE id = ?", arguments: [now, now, id])
            let moved = try Self.renumber(db, meeting: meetingId, placing: nil, at: nil)
            try Self.recordWrite(db, actor: actor, municipality: meeting.draft.municipalityId,
                                 [.deleted(.agendaItem, id)] + moved.map { .updated(.agendaItem, $0) }, now: self.clock.now())
        }
    }
}
