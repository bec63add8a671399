import Foundation
import GRDB
import MedvirkCore

extension Store {
    static func council(_ row: Row) throws -> Council {
        let draft = CouncilDraft(
            municipalityId: row["municipality_id"], serviceAreaId: row["service_area_id"], name: row["name"],
            kind: CouncilKind(rawValue: row["kind"]) ?? .other, unit: row["unit"], description: row["description"],
            legalBasis: try JSONColumn.decode(LegalBasis.self, row["legal_basis"]),
            authority: CouncilAuthority(rawValue: row["authority"]) ?? .advisory,
            hearingRights: try JSONColumn.decode([String].self, row["hearing_rights"]),
            minMeetingsPerYear: row["min_meetings_per_year"], termYears: row["term_years"],
            seats: try JSONColumn.decode([Seat].self, row["seats"]),
            contactEmail: row["contact_email"], website: row["website"],
            status: CouncilStatus(rawValue: row["status"]) ?? .active,
            establishedOn: (row["established_on"] as String?).flatMap(CalendarDate.init),
            dissolvedOn: (row["dissolved_on"] as String?).flatMap(CalendarDate.init))
        return Council(id: row["id"], draft: draft, createdAt: Timestamps.parse(row["created_at"]),
                       updatedAt: Timestamps.parse(row["updated_at"]))
    }

    static func liveCouncil(_ db: Database, _ id: String) throws -> Council? {
        try Row.fetchOne(db, sql: "SELECT * FROM councils WHERE id = ? AND deleted_at IS NULL", arguments: [id]).map(council)
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
            let rows = try Row.fetchAll(db, sql: """
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
            return try self.page(rows, limit: page.limit, map: Self.council)
        }
    }

    // MARK: Writes

    /// Checks the references a council makes: its municipality and service area.
    static func checkReferences(_ db: Database, _ draft: CouncilDraft) throws {
        guard try liveMunicipality(db, draft.municipalityId) != nil else {
            throw Problem.validation([FieldError("municipality_id", "no municipality '\(draft.municipalityId)'")])
        }
        if let areaId = draft.serviceAreaId {
            guard let area = try liveServiceArea(db, areaId) else {
                throw Problem.validation([FieldError("service_area_id", "no service area '\(areaId)'")])
            }
            if area.municipalityId != draft.municipalityId {
                throw Problem.validation([FieldError("service_area_id", "service area '\(areaId)' belongs to another municipality")])
            }
        }
    }

    static func councilArguments(_ draft: CouncilDraft) -> [(any DatabaseValueConvertible)?] {
        [draft.serviceAreaId, draft.name, draft.kind.rawValue, draft.unit, draft.description,
         JSONColumn.encode(draft.legalBasis), draft.authority.rawValue, JSONColumn.encode(draft.hearingRights),
         draft.minMeetingsPerYear, draft.termYears, JSONColumn.encode(draft.seats), draft.contactEmail, draft.website,
         draft.status.rawValue, draft.establishedOn?.text, draft.dissolvedOn?.text]
    }

    public func createCouncil(_ draft: CouncilDraft, actor: WriteActor) async throws -> Council {
        try draft.validate()
        return try await pool.write { db in
            try Self.checkReferences(db, draft)
            let id = Identifiers.make("cou")
            let now = Timestamps.format(self.clock.now())
            try db.execute(sql: """
                INSERT INTO councils (service_area_id, name, kind, unit, description, legal_basis, authority, hearing_rights,
                    min_meetings_per_year, term_years, seats, contact_email, website, status, established_on, dissolved_on,
                    id, municipality_id, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: StatementArguments(Self.councilArguments(draft) + [id, draft.municipalityId, now, now]))
            try Self.recordWrite(db, actor: actor, municipality: draft.municipalityId, [.created(.council, id)], now: self.clock.now())
            return try Self.liveCouncil(db, id)!
        }
    }

    public func updateCouncil(_ id: String, _ draft: CouncilDraft, actor: WriteActor) async throws -> Council {
        try draft.validate()
        return try await pool.write { db in
            guard let current = try Self.liveCouncil(db, id) else { throw Problem.notFound("council", id) }
            if current.draft.municipalityId != draft.municipalityId {
                throw Problem.validation([FieldError("municipality_id", "cannot be changed")])
            }
            try Self.checkReferences(db, draft)
            if draft.seats != current.draft.seats {
                try Self.checkSeatsHoldMembers(db, councilId: id, seats: draft.seatsByGroup)
            }
            try db.execute(sql: """
                UPDATE councils SET service_area_id = ?, name = ?, kind = ?, unit = ?, description = ?, legal_basis = ?,
                    authority = ?, hearing_rights = ?, min_meetings_per_year = ?, term_years = ?, seats = ?, contact_email = ?,
                    website = ?, status = ?, established_on = ?, dissolved_on = ?, updated_at = ?
                WHERE id = ?
                """, arguments: StatementArguments(Self.councilArguments(draft) + [Timestamps.format(self.clock.now()), id]))
            try Self.recordWrite(db, actor: actor, municipality: draft.municipalityId, [.updated(.council, id)], now: self.clock.now())
            return try Self.liveCouncil(db, id)!
        }
    }

    /// Deletes a council and tombstones its memberships with it.
    public func deleteCouncil(_ id: String, actor: WriteActor) async throws {
        try await pool.write { db in
            guard let current = try Self.liveCouncil(db, id) else { throw Problem.notFound("council", id) }
            let now = Timestamps.format(self.clock.now())
            let members = try String.fetchAll(db, sql: "SELECT id FROM members WHERE council_id = ? AND deleted_at IS NULL ORDER BY seq", arguments: [id])
            try db.execute(sql: "UPDATE members SET deleted_at = ?, updated_at = ? WHERE council_id = ? AND deleted_at IS NULL",
                           arguments: [now, now, id])
            try db.execute(sql: "UPDATE councils SET deleted_at = ?, updated_at = ? WHERE id = ?", arguments: [now, now, id])
            try Self.recordWrite(db, actor: actor, municipality: current.draft.municipalityId,
                                 [.deleted(.council, id)] + members.map { .deleted(.member, $0) }, now: self.clock.now())
        }
    }
}
