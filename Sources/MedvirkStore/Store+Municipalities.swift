import Foundation
import GRDB
import MedvirkCore

extension Store {
    static func municipality(_ row: Row) -> Municipality {
        Municipality(id: row["id"], name: row["name"], country: Country(rawValue: row["country"]) ?? .dk,
                     timeZone: row["time_zone"], website: row["website"],
                     createdAt: Timestamps.parse(row["created_at"]), updatedAt: Timestamps.parse(row["updated_at"]))
    }

    public func municipality(_ id: String) async throws -> Municipality? {
        try await pool.read { db in try Self.liveMunicipality(db, id) }
    }

    static func liveMunicipality(_ db: Database, _ id: String) throws -> Municipality? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM municipalities WHERE id = ? AND deleted_at IS NULL"), arguments: [id])
            .map(municipality)
    }

    public func municipalities(_ page: PageRequest) async throws -> Page<Municipality> {
        try await pool.read { db in
            let rows = try Row.fetchAll(db.cachedStatement(sql: """
                SELECT * FROM municipalities WHERE deleted_at IS NULL AND seq > ? ORDER BY seq LIMIT ?
                """), arguments: [page.after?.after ?? 0, page.limit + 1])
            return self.page(rows, limit: page.limit, map: Self.municipality)
        }
    }

    // MARK: Writes

    public func createMunicipality(_ draft: MunicipalityDraft, actor: WriteActor) async throws -> Municipality {
        try draft.validate()
        return try await pool.write { db in
            if try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM municipalities WHERE id = ?"), arguments: [draft.id]) == true {
                throw Problem.conflict("id-taken", "A municipality with id '\(draft.id)' exists or existed; ids are never reused.")
            }
            let now = Timestamps.format(Date())
            try db.cachedStatement(sql: """
                INSERT INTO municipalities (id, name, country, time_zone, website, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [draft.id, draft.name, draft.country.rawValue, draft.timeZone, draft.website, now, now])
            try Self.recordWrite(db, actor: actor, municipality: draft.id, [.created(.municipality, draft.id)])
            return try Self.liveMunicipality(db, draft.id)!
        }
    }

    public func updateMunicipality(_ draft: MunicipalityDraft, actor: WriteActor) async throws -> Municipality {
        try draft.validate()
        return try await pool.write { db in
            guard try Self.liveMunicipality(db, draft.id) != nil else { throw Problem.notFound("municipality", draft.id) }
            try db.cachedStatement(sql: """
                UPDATE municipalities SET name = ?, country = ?, time_zone = ?, website = ?, updated_at = ? WHERE id = ?
                """).execute(arguments: [draft.name, draft.country.rawValue, draft.timeZone, draft.website, Timestamps.format(Date()), draft.id])
            try Self.recordWrite(db, actor: actor, municipality: draft.id, [.updated(.municipality, draft.id)])
            return try Self.liveMunicipality(db, draft.id)!
        }
    }

    /// Refuses (409) while the municipality still has councils or service areas.
    public func deleteMunicipality(_ id: String, actor: WriteActor) async throws {
        try await pool.write { db in
            guard try Self.liveMunicipality(db, id) != nil else { throw Problem.notFound("municipality", id) }
            let councils = try Int.fetchOne(db.cachedStatement(sql: "SELECT count(*) FROM councils WHERE municipality_id = ? AND deleted_at IS NULL"), arguments: [id]) ?? 0
            let areas = try Int.fetchOne(db.cachedStatement(sql: "SELECT count(*) FROM service_areas WHERE municipality_id = ? AND deleted_at IS NULL"), arguments: [id]) ?? 0
            if councils > 0 || areas > 0 {
                throw Problem.conflict("municipality-not-empty", "Municipality '\(id)' still has \(councils) council(s) and \(areas) service area(s); delete them first.")
            }
            try db.cachedStatement(sql: "UPDATE municipalities SET deleted_at = ?, updated_at = ? WHERE id = ?").execute(
                           arguments: [Timestamps.format(Date()), Timestamps.format(Date()), id])
            try Self.recordWrite(db, actor: actor, municipality: id, [.deleted(.municipality, id)])
        }
    }
}
