import Foundation
import GRDB
import MedvirkCore

extension Store {
    static func serviceArea(_ row: Row) -> ServiceArea {
        ServiceArea(id: row["id"], municipalityId: row["municipality_id"], name: row["name"], description: row["description"],
                    createdAt: Timestamps.parse(row["created_at"]), updatedAt: Timestamps.parse(row["updated_at"]))
    }

    static func liveServiceArea(_ db: Database, _ id: String) throws -> ServiceArea? {
        try Row.fetchOne(db, sql: "SELECT * FROM service_areas WHERE id = ? AND deleted_at IS NULL", arguments: [id]).map(serviceArea)
    }

    public func serviceArea(_ id: String) async throws -> ServiceArea? {
        try await pool.read { db in try Self.liveServiceArea(db, id) }
    }

    public func serviceAreas(municipality: String?, _ page: PageRequest) async throws -> Page<ServiceArea> {
        try await pool.read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT * FROM service_areas
                WHERE deleted_at IS NULL AND seq > ?1 AND (?3 IS NULL OR municipality_id = ?3)
                ORDER BY seq LIMIT ?2
                """,
                arguments: [page.after?.after ?? 0, page.limit + 1, municipality])
            return self.page(rows, limit: page.limit, map: Self.serviceArea)
        }
    }

    // MARK: Writes

    public func createServiceArea(_ draft: ServiceAreaDraft, actor: WriteActor) async throws -> ServiceArea {
        try draft.validate()
        return try await pool.write { db in
            guard try Self.liveMunicipality(db, draft.municipalityId) != nil else {
                throw Problem.validation([FieldError("municipality_id", "no municipality '\(draft.municipalityId)'")])
            }
            try Self.checkServiceAreaNameFree(db, draft.name, municipality: draft.municipalityId, except: nil)
            let id = Identifiers.make("sa")
            let now = Timestamps.format(self.clock.now())
            try db.execute(sql: """
                INSERT INTO service_areas (id, municipality_id, name, description, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
                """, arguments: [id, draft.municipalityId, draft.name, draft.description, now, now])
            try Self.recordWrite(db, actor: actor, municipality: draft.municipalityId, [.created(.serviceArea, id)], now: self.clock.now())
            return try Self.liveServiceArea(db, id)!
        }
    }

    public func updateServiceArea(_ id: String, _ draft: ServiceAreaDraft, actor: WriteActor) async throws -> ServiceArea {
        try draft.validate()
        return try await pool.write { db in
            guard let current = try Self.liveServiceArea(db, id) else { throw Problem.notFound("service area", id) }
            if current.municipalityId != draft.municipalityId {
                throw Problem.validation([FieldError("municipality_id", "cannot be changed")])
            }
            try Self.checkServiceAreaNameFree(db, draft.name, municipality: current.municipalityId, except: id)
            try db.execute(sql: "UPDATE service_areas SET name = ?, description = ?, updated_at = ? WHERE id = ?",
                           arguments: [draft.name, draft.description, Timestamps.format(self.clock.now()), id])
            try Self.recordWrite(db, actor: actor, municipality: current.municipalityId, [.updated(.serviceArea, id)], now: self.clock.now())
            return try Self.liveServiceArea(db, id)!
        }
    }

    /// Refuses (409) while councils belong to the service area.
    public func deleteServiceArea(_ id: String, actor: WriteActor) async throws {
        try await pool.write { db in
            guard let current = try Self.liveServiceArea(db, id) else { throw Problem.notFound("service area", id) }
            let councils = try Int.fetchOne(db, sql: "SELECT count(*) FROM councils WHERE service_area_id = ? AND deleted_at IS NULL", arguments: [id]) ?? 0
            if councils > 0 {
                throw Problem.conflict("service-area-in-use", "\(councils) council(s) still belong to service area '\(id)'; move or delete them first.")
            }
            let now = Timestamps.format(self.clock.now())
            try db.execute(sql: "UPDATE service_areas SET deleted_at = ?, updated_at = ? WHERE id = ?", arguments: [now, now, id])
            try Self.recordWrite(db, actor: actor, municipality: current.municipalityId, [.deleted(.serviceArea, id)], now: self.clock.now())
        }
    }

    /// Service areas are told apart by name (the CSV import matches rows to them by name), so a name is used
    /// once per municipality, compared ignoring case in Unicode NFC (`Ældre og Sundhed` = `ældre og sundhed`): 409.
    static func checkServiceAreaNameFree(_ db: Database, _ name: String, municipality: String, except id: String?) throws {
        let key = name.lowercased()
        let rows = try Row.fetchAll(db, sql: "SELECT id, name FROM service_areas WHERE municipality_id = ? AND deleted_at IS NULL",
                                    arguments: [municipality])
        if let other = rows.first(where: { ($0["id"] as String) != id && ($0["name"] as String).lowercased() == key }) {
            throw Problem.conflict("service-area-name-taken",
                                   "Service area '\(other["id"] as String)' is already called '\(other["name"] as String)' in this municipality; choose another name.")
        }
    }
}
