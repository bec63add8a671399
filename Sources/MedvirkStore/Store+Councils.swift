import Foundation
import GRDB
import MedvirkCore

extension Store {
    static func liveCouncil(_ db: Database, _ id: String) throws -> Council? {
        try CouncilRecord.live(db, id)?.council
    }

    public func council(_ id: String) async throws -> Council? {
        try await pool.read { db in try Self.liveCouncil(db, id) }
    }

    /// Turns free text into an FTS5 query: every word must match as a prefix ("ældre" finds "Ældreråd").
    static func ftsQuery(_ text: String) -> String? {
        let words = text.split(whereSeparator: { !($0.isLetter || $0.isNumber) }).prefix(10)
        guard !words.isEmpty else { return nil }
        return words.map { "\"\($0.lowercased())\"*" }.joined(separator: " ")
    }

    public func councils(_ filter: CouncilFilter, _ page: PageRequest) async throws -> Page<Council> {
        let fts = filter.query.map(Self.ftsQuery)
        if case .some(.none) = fts { return Page(items: [], next: nil) }
        let match = fts ?? nil
        return try await pool.read { db in
            let records = try CouncilRecord.fetchAll(db, sql: """
                SELECT * FROM councils
                WHERE deleted_at IS NULL AND seq > ?1
                  AND (?3 IS NULL OR municipality_id = ?3)
                  AND (?4 IS NULL OR kind = ?4)
                  AND (?5 IS NULL OR service_area_id = ?5)
                  AND (?6 IS NULL OR status = ?6)
                  AND (?7 IS NULL OR seq IN (SELECT rowid FROM councils_fts WHERE councils_fts MATCH ?7))
                ORDER BY seq LIMIT ?2
                """, arguments: [page.after?.after ?? 0, page.limit + 1, filter.municipality, filter.kind?.rawValue,
                                 filter.serviceArea, filter.status?.rawValue, match])
            return self.page(records, limit: page.limit, map: \.council)
        }
    }

    // MARK: Writes

    public func createCouncil(_ draft: CouncilDraft, actor: WriteActor) async throws -> Council {
        try draft.validate()
        return try await pool.write { db in
            try Self.checkReferences(db, References(municipalityId: draft.municipalityId, serviceAreaId: draft.serviceAreaId))
            let now = self.clock.now()
            let record = CouncilRecord(id: Identifiers.make("cou"), draft: draft, createdAt: now, updatedAt: now)
            try record.insert(db)
            try Self.recordWrite(db, actor: actor, municipality: draft.municipalityId, [.created(.council, record.id)], now: now)
            return record.council
        }
    }

    public func updateCouncil(_ id: String, _ draft: CouncilDraft, actor: WriteActor) async throws -> Council {
        try draft.validate()
        return try await pool.write { db in
            guard let stored = try CouncilRecord.live(db, id) else { throw Problem.notFound("council", id) }
            let current = stored.council
            if current.draft.municipalityId != draft.municipalityId {
                throw Problem.validation([FieldError("municipality_id", "cannot be changed")])
            }
            try Self.checkReferences(db, References(municipalityId: draft.municipalityId, serviceAreaId: draft.serviceAreaId))
            if draft.seats != current.draft.seats {
                try Self.checkSeatsHoldMembers(db, councilId: id, seats: draft.seatsByGroup)
            }
            let now = self.clock.now()
            let record = stored.updated(draft, at: now)
            try record.update(db)
            try Self.recordWrite(db, actor: actor, municipality: draft.municipalityId, [.updated(.council, id)], now: now)
            return record.council
        }
    }

    /// Deletes a council and tombstones its memberships with it.
    public func deleteCouncil(_ id: String, actor: WriteActor) async throws {
        try await pool.write { db in
            guard var record = try CouncilRecord.live(db, id) else { throw Problem.notFound("council", id) }
            let time = self.clock.now()
            let now = Timestamps.format(time)
            let members = try String.fetchAll(db, sql: "SELECT id FROM members WHERE council_id = ? AND deleted_at IS NULL ORDER BY seq", arguments: [id])
            try db.execute(sql: "UPDATE members SET deleted_at = ?, updated_at = ? WHERE council_id = ? AND deleted_at IS NULL",
                           arguments: [now, now, id])
            (record.deletedAt, record.updatedAt) = (time, time)
            try record.update(db)
            try Self.recordWrite(db, actor: actor, municipality: record.municipalityId,
                                 [.deleted(.council, id)] + members.map { .deleted(.member, $0) }, now: time)
        }
    }
}
