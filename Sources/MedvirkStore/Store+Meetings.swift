import Foundation
import GRDB
import MedvirkCore

extension Store {
    static func meeting(_ row: Row) throws -> Meeting { try MeetingRecord(row: row).meeting }

    static func liveMeeting(_ db: Database, _ id: String) throws -> Meeting? {
        try MeetingRecord.live(db, id)?.meeting
    }

    public func meeting(_ id: String) async throws -> Meeting? {
        try await pool.read { db in try Self.liveMeeting(db, id) }
    }

    /// Meetings by start time; the cursor is the last meeting shown with its start time as served, so pages
    /// stay stable under inserts and under a reschedule of that meeting between two fetches (which neither
    /// skips the rest nor shows that meeting again later in the list).
    public func meetings(_ filter: MeetingFilter, _ page: PageRequest) async throws -> Page<Meeting> {
        let now = Timestamps.format(clock.now())
        return try await pool.read { db in
            // The boundary meeting as it was served; if it has been rescheduled since, it stays out of later pages.
            let boundaryStart = page.after?.sortValue.map { Timestamps.format(Date(timeIntervalSince1970: Double($0))) }
            var shown = page.after?.shown ?? []
            if let after = page.after, let boundaryStart,
               let current = try String.fetchOne(db, sql: "SELECT starts_at FROM meetings WHERE seq = ?", arguments: [after.after]),
               current != boundaryStart {
                shown.append(after.after)
            }
            let records = try MeetingRecord.fetchAll(db, sql: """
                SELECT * FROM meetings m
                WHERE m.deleted_at IS NULL
                  AND (?1 = 0 OR ((m.starts_at, m.seq) > (coalesce(?11, (SELECT starts_at FROM meetings WHERE seq = ?1)), ?1)
                                  AND m.seq NOT IN (SELECT value FROM json_each(?12))))
                  AND \(Readable.condition(.meeting, "m", reader: "?9", now: "?10"))
                  AND (?3 IS NULL OR m.municipality_id = ?3)
                  AND (?4 IS NULL OR m.council_id = ?4)
                  AND (?5 IS NULL OR m.kind = ?5)
                  AND (?6 IS NULL OR m.status = ?6)
                  AND (?7 IS NULL OR m.ends_at >= ?7)
                  AND (?8 IS NULL OR m.starts_at < ?8)
                ORDER BY m.starts_at, m.seq LIMIT ?2
                """, arguments: [page.after?.after ?? 0, page.limit + 1, filter.municipality, filter.council, filter.kind?.rawValue,
                                 filter.status?.rawValue, filter.from.map(Timestamps.format), filter.to.map(Timestamps.format),
                                 filter.reader.argument, now,
                                 boundaryStart, JSONColumn.encode(shown)])
            let meetings = records.prefix(page.limit).map(\.meeting)
            let next = records.count > page.limit ? records[page.limit - 1].seq.map { seq in
                Cursor(after: seq, sortValue: Int64(records[page.limit - 1].startsAt.timeIntervalSince1970), shown: shown)
            } : nil
            return Page(items: meetings, next: next)
        }
    }

    /// Making a meeting public publishes its public agenda items, their decisions and follow-up feedback,
    /// and its minutes once approved. Each is screened as it is written; this catches text stored before.
    static func screenBeforePublishing(_ db: Database, meeting id: String) throws {
        let texts = try String.fetchAll(db, sql: """
            SELECT text FROM minutes WHERE meeting_id = ?1
            UNION ALL SELECT title || ' ' || coalesce(description, '') || ' ' || documents FROM agenda_items
                WHERE meeting_id = ?1 AND public = 1 AND deleted_at IS NULL
            UNION ALL SELECT d.text || ' ' || coalesce(d.feedback, '') FROM decisions d JOIN agenda_items i ON i.id = d.agenda_item_id
                WHERE d.meeting_id = ?1 AND i.public = 1
            """, arguments: [id])
        if texts.contains(where: NationalIdScreening.containsNationalId) {
            throw Problem.validation([FieldError("public", "the meeting's minutes, public agenda items or decisions contain what looks like a CPR number or fødselsnummer; it would be published")])
        }
    }

    public func createMeeting(_ draft: MeetingDraft, actor: WriteActor) async throws -> Meeting {
        try draft.validate()
        try draft.checkStatus(now: clock.now())
        return try await pool.write { db in
            try Self.checkReferences(db, References(municipalityId: draft.municipalityId, councilId: draft.councilId, consultationId: draft.consultationId))
            let now = self.clock.now()
            let id = Identifiers.make("mtg")
            var draft = draft
            let files: [Change]
            (draft.documents, files) = try Self.attachDocuments(db, owner: .meeting, id, municipality: draft.municipalityId, old: [],
                                                                new: draft.documents, now: now)
            let record = MeetingRecord(id: id, draft: draft, sequence: 0, createdAt: now, updatedAt: now)
            try record.insert(db)
            try Self.recordWrite(db, actor: actor, municipality: draft.municipalityId, [Change.created(.meeting, record.id).named(draft.isPublic ? "meeting.published" : nil)] + files,
                                 now: now)
            return record.meeting
        }
    }

    /// Every change raises the meeting's SEQUENCE, so calendar clients replace their copy.
    public func updateMeeting(_ id: String, _ draft: MeetingDraft, actor: WriteActor) async throws -> Meeting {
        try draft.validate()
        try draft.checkStatus(now: clock.now())
        return try await pool.write { db in
            guard let stored = try MeetingRecord.live(db, id) else { throw Problem.notFound("meeting", id) }
            let current = stored.meeting
            if current.draft.municipalityId != draft.municipalityId {
                throw Problem.validation([FieldError("municipality_id", "cannot be changed")])
            }
            try Self.checkReferences(db, References(municipalityId: draft.municipalityId, councilId: draft.councilId, consultationId: draft.consultationId))
            if draft.isPublic && !current.draft.isPublic { try Self.screenBeforePublishing(db, meeting: id) }
            // Approved minutes record a meeting that took place: it cannot move to a time that has not come.
            if draft.startsAt != current.draft.startsAt, draft.startsAt > clock.now(), try Self.fetchMinutes(db, id)?.isApproved == true {
                throw Problem.conflict("minutes-approved", "The meeting's minutes are approved, so it has taken place; it cannot move to \(UTCTimestamp.secondsText(draft.startsAt)), which has not come yet.")
            }
            // The signed minutes attached at approval are part of the approved record.
            if let signed = try String.fetchOne(db, sql: "SELECT signed_file_id FROM minutes WHERE meeting_id = ? AND approved_at IS NOT NULL",
                                                arguments: [id]),
               !draft.documents.contains(where: { $0.fileId == signed && $0.kind == .minutes }) {
                throw Problem.conflict("minutes-approved", "The signed minutes (file \(signed)) belong to the approved minutes; they cannot be removed or replaced.")
            }
            let now = self.clock.now()
            var draft = draft
            let files: [Change]
            (draft.documents, files) = try Self.attachDocuments(db, owner: .meeting, id, municipality: draft.municipalityId,
                                                                old: current.draft.documents, new: draft.documents, now: now)
            let record = stored.updated(draft, at: now)
            try record.update(db)
            // Making a meeting private (or public) hides (or shows) its agenda, minutes, decisions and files too.
            let event: String? = draft.status == .cancelled && current.draft.status != .cancelled ? "meeting.cancelled"
                : draft.isPublic && !current.draft.isPublic ? "meeting.published" : nil
            try Self.recordWrite(db, actor: actor, municipality: draft.municipalityId,
                                 [Change.updated(.meeting, id).cascading().named(event)] + files, now: now)
            return record.meeting
        }
    }

    public func deleteMeeting(_ id: String, actor: WriteActor) async throws {
        try await pool.write { db in
            guard var record = try MeetingRecord.live(db, id) else { throw Problem.notFound("meeting", id) }
            if try Int.fetchOne(db, sql: "SELECT count(*) FROM decisions WHERE meeting_id = ?", arguments: [id]) ?? 0 > 0 {
                throw Problem.conflict("meeting-has-decisions", "The meeting has recorded decisions; cancel it instead of deleting it.")
            }
            let time = self.clock.now()
            let now = Timestamps.format(time)
            let items = try String.fetchAll(db, sql: "SELECT id FROM agenda_items WHERE meeting_id = ? AND deleted_at IS NULL ORDER BY position", arguments: [id])
            let minutes = try String.fetchAll(db, sql: "SELECT meeting_id FROM minutes WHERE meeting_id = ?", arguments: [id])
            try db.execute(sql: "UPDATE agenda_items SET deleted_at = ?, updated_at = ? WHERE meeting_id = ? AND deleted_at IS NULL", arguments: [now, now, id])
            (record.deletedAt, record.updatedAt) = (time, time)
            try record.update(db)
            // Its hosted documents, and its items', are freed (and purged in time).
            var files = try Self.attachDocuments(db, owner: .meeting, id, municipality: record.municipalityId, old: record.documents,
                                                 new: [], now: time).changes
            for itemId in items {
                guard let item = try AgendaItemRecord.fetchOne(db, key: ["id": itemId]) else { continue }
                files += try Self.attachDocuments(db, owner: .agendaItem, itemId, municipality: record.municipalityId, old: item.documents,
                                                  new: [], now: time).changes
            }
            try Self.recordWrite(db, actor: actor, municipality: record.municipalityId,
                                 [.deleted(.meeting, id)] + items.map { .deleted(.agendaItem, $0) } + minutes.map { .deleted(.minutes, $0) } + files,
                                 now: time)
        }
    }
}
