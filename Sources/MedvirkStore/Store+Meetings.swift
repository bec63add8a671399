import Foundation
import GRDB
import MedvirkCore

extension Store {
    static func meeting(_ row: Row) throws -> Meeting {
        let draft = MeetingDraft(
            municipalityId: row["municipality_id"], councilId: row["council_id"], consultationId: row["consultation_id"],
            kind: MeetingKind(rawValue: row["kind"]) ?? .workshop, title: row["title"], description: row["description"],
            startsAt: Timestamps.parse(row["starts_at"]), endsAt: Timestamps.parse(row["ends_at"]),
            location: try (row["location"] as String?).map { try JSONColumn.decode(MeetingLocation.self, $0) },
            onlineURL: row["online_url"], isPublic: row["public"], status: MeetingStatus(rawValue: row["status"]) ?? .planned,
            accessibility: try (row["accessibility"] as String?).map { try JSONColumn.decode(Accessibility.self, $0) },
            registration: try (row["registration"] as String?).map { try JSONColumn.decode(Registration.self, $0) })
        return Meeting(id: row["id"], draft: draft, sequence: row["sequence"], createdAt: Timestamps.parse(row["created_at"]),
                       updatedAt: Timestamps.parse(row["updated_at"]))
    }

    static func liveMeeting(_ db: Database, _ id: String) throws -> Meeting? {
        try Row.fetchOne(db, sql: "SELECT * FROM meetings WHERE id = ? AND deleted_at IS NULL", arguments: [id]).map(meeting)
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
            let rows = try Row.fetchAll(db, sql: """
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
            let meetings = try rows.prefix(page.limit).map(Self.meeting)
            let next = rows.count > page.limit ? meetings.last.map { meeting in
                Cursor(after: rows[page.limit - 1]["seq"], sortValue: Int64(meeting.draft.startsAt.timeIntervalSince1970), shown: shown)
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

    static func checkReferences(_ db: Database, _ draft: MeetingDraft) throws {
        guard try liveMunicipality(db, draft.municipalityId) != nil else {
            throw Problem.validation([FieldError("municipality_id", "no municipality '\(draft.municipalityId)'")])
        }
        var errors: [FieldError] = []
        if let councilId = draft.councilId,
           try liveCouncil(db, councilId)?.draft.municipalityId != draft.municipalityId {
            errors.append(FieldError("council_id", "no council '\(councilId)' in municipality '\(draft.municipalityId)'"))
        }
        if let consultationId = draft.consultationId,
           try liveConsultation(db, consultationId)?.draft.municipalityId != draft.municipalityId {
            errors.append(FieldError("consultation_id", "no consultation '\(consultationId)' in municipality '\(draft.municipalityId)'"))
        }
        try Problem.check(errors)
    }

    static func meetingArguments(_ d: MeetingDraft) -> [(any DatabaseValueConvertible)?] {
        [d.councilId, d.consultationId, d.kind.rawValue, d.title, d.description, Timestamps.format(d.startsAt),
         Timestamps.format(d.endsAt), d.location.map { JSONColumn.encode($0) }, d.onlineURL, d.isPublic, d.status.rawValue,
         d.accessibility.map { JSONColumn.encode($0) }, d.registration.map { JSONColumn.encode($0) }]
    }

    public func createMeeting(_ draft: MeetingDraft, actor: WriteActor) async throws -> Meeting {
        try draft.validate()
        try draft.checkStatus(now: clock.now())
        return try await pool.write { db in
            try Self.checkReferences(db, draft)
            let id = Identifiers.make("mtg")
            let now = Timestamps.format(self.clock.now())
            try db.execute(sql: """
                INSERT INTO meetings (council_id, consultation_id, kind, title, description, starts_at, ends_at, location, online_url,
                    public, status, accessibility, registration, id, municipality_id, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: StatementArguments(Self.meetingArguments(draft) + [id, draft.municipalityId, now, now]))
            try Self.recordWrite(db, actor: actor, municipality: draft.municipalityId, [.created(.meeting, id)], now: self.clock.now())
            return try Self.liveMeeting(db, id)!
        }
    }

    /// Every change raises the meeting's SEQUENCE, so calendar clients replace their copy.
    public func updateMeeting(_ id: String, _ draft: MeetingDraft, actor: WriteActor) async throws -> Meeting {
        try draft.validate()
        try draft.checkStatus(now: clock.now())
        return try await pool.write { db in
            guard let current = try Self.liveMeeting(db, id) else { throw Problem.notFound("meeting", id) }
            if current.draft.municipalityId != draft.municipalityId {
                throw Problem.validation([FieldError("municipality_id", "cannot be changed")])
            }
            try Self.checkReferences(db, draft)
            if draft.isPublic && !current.draft.isPublic { try Self.screenBeforePublishing(db, meeting: id) }
            // Approved minutes record a meeting that took place: it cannot move to a time that has not come.
            if draft.startsAt != current.draft.startsAt, draft.startsAt > clock.now(), try Self.fetchMinutes(db, id)?.isApproved == true {
                throw Problem.conflict("minutes-approved", "The meeting's minutes are approved, so it has taken place; it cannot move to \(UTCTimestamp.secondsText(draft.startsAt)), which has not come yet.")
            }
            try db.execute(sql: """
                UPDATE meetings SET council_id = ?, consultation_id = ?, kind = ?, title = ?, description = ?, starts_at = ?, ends_at = ?,
                    location = ?, online_url = ?, public = ?, status = ?, accessibility = ?, registration = ?,
                    sequence = sequence + 1, updated_at = ?
                WHERE id = ?
                """, arguments: StatementArguments(Self.meetingArguments(draft) + [Timestamps.format(self.clock.now()), id]))
            // Making a meeting private (or public) hides (or shows) its agenda, minutes and decisions too.
            try Self.recordWrite(db, actor: actor, municipality: draft.municipalityId, [Change.updated(.meeting, id).cascading()], now: self.clock.now())
            return try Self.liveMeeting(db, id)!
        }
    }

    public func deleteMeeting(_ id: String, actor: WriteActor) async throws {
        try await pool.write { db in
            guard let current = try Self.liveMeeting(db, id) else { throw Problem.notFound("meeting", id) }
            if try Int.fetchOne(db, sql: "SELECT count(*) FROM decisions WHERE meeting_id = ?", arguments: [id]) ?? 0 > 0 {
                throw Problem.conflict("meeting-has-decisions", "The meeting has recorded decisions; cancel it instead of deleting it.")
            }
            let now = Timestamps.format(self.clock.now())
            let items = try String.fetchAll(db, sql: "SELECT id FROM agenda_items WHERE meeting_id = ? AND deleted_at IS NULL ORDER BY position", arguments: [id])
            let minutes = try String.fetchAll(db, sql: "SELECT meeting_id FROM minutes WHERE meeting_id = ?", arguments: [id])
            try db.execute(sql: "UPDATE agenda_items SET deleted_at = ?, updated_at = ? WHERE meeting_id = ? AND deleted_at IS NULL", arguments: [now, now, id])
            try db.execute(sql: "UPDATE meetings SET deleted_at = ?, updated_at = ? WHERE id = ?", arguments: [now, now, id])
            try Self.recordWrite(db, actor: actor, municipality: current.draft.municipalityId,
                                 [.deleted(.meeting, id)] + items.map { .deleted(.agendaItem, $0) } + minutes.map { .deleted(.minutes, $0) }, now: self.clock.now())
        }
    }
}
