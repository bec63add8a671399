import Foundation
import GRDB
import MedvirkCore

extension Store {
    static func liveServiceArea(_ db: Database, _ id: String) throws -> ServiceArea? {
        try ServiceAreaRecord.live(db, id)?.serviceArea
    }

    /// A municipality's live service areas, oldest first.
    static func serviceAreas(_ db: Database, municipality: String) throws -> [ServiceArea] {
        try ServiceAreaRecord.fetchAll(db, sql: "SELECT * FROM service_areas WHERE municipality_id = ? AND deleted_at IS NULL ORDER BY seq",
                                       arguments: [municipality]).map(\.serviceArea)
    }

    public func serviceArea(_ id: String) async throws -> ServiceArea? {
        try await pool.read { db in try Self.liveServiceArea(db, id) }
    }

    public func serviceAreas(municipality: String?, _ page: PageRequest) async throws -> Page<ServiceArea> {
        try await pool.read { db in
            let records = try ServiceAreaRecord.fetchAll(db, sql: """
                SELECT * FROM service_areas
                WHERE deleted_at IS NULL AND seq > ?1 AND (?3 IS NULL OR municipality_id = ?3)
                ORDER BY seq LIMIT ?2
                """,
                arguments: [page.after?.after ?? 0, page.limit + 1, municipality])
            return self.page(records, limit: page.limit, map: \.serviceArea)
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
            let now = self.clock.now()
            let record = ServiceAreaRecord(id: Identifiers.make("sa"), municipalityId: draft.municipalityId, name: draft.name,
                                           description: draft.description, createdAt: now, updatedAt: now)
            try record.insert(db)
            try Self.recordWrite(db, actor: actor, municipality: draft.municipalityId, [.created(.serviceArea, record.id)], now: now)
            return record.serviceArea
        }
    }

    public func updateServiceArea(_ id: String, _ draft: ServiceAreaDraft, actor: WriteActor) async throws -> ServiceArea {
        try draft.validate()
        return try await pool.write { db in
            guard var record = try ServiceAreaRecord.live(db, id) else { throw Problem.notFound("service area", id) }
            if record.municipalityId != draft.municipalityId {
                throw Problem.validation([FieldError("municipality_id", "cannot be changed")])
            }
            try Self.checkServiceAreaNameFree(db, draft.name, municipality: record.municipalityId, except: id)
            let now = self.clock.now()
            (record.name, record.description, record.updatedAt) = (draft.name, draft.description, now)
            try record.update(db)
            try Self.recordWrite(db, actor: actor, municipality: record.municipalityId, [.updated(.serviceArea, id)], now: now)
            return record.serviceArea
        }
    }

    /// Refuses (409) while councils belong to the service area.
    public func deleteServiceArea(_ id: String, actor: WriteActor) async throws {
        try await pool.write { db in
            guard var record = try ServiceAreaRecord.live(db, id) else { throw Problem.notFound("service area", id) }
            let councils = try Int.fetchOne(db, sql: "SELECT count(*) FROM councils WHERE service_area_id = ? AND deleted_at IS NULL", arguments: [id]) ?? 0
            if councils > 0 {
                throw Problem.conflict("service-area-in-use", "\(councils) council(s) still belong to service area '\(id)'; move or delete them first.")
            }
            let now = self.clock.now()
            (record.deletedAt, record.updatedAt) = (now, now)
            try record.update(db)
            try Self.recordWrite(db, actor: actor, municipality: record.municipalityId, [.deleted(.serviceArea, id)], now: now)
        }
    }

    /// Service areas are told apart by name (the CSV import matches rows to them by name), so a name is used
    /// once per municipality, compared ignoring case in Unicode NFC (`Ældre og Sundhed` = `ældre og sundhed`): 409.
    static func checkServiceAreaNameFree(_ db: Database, _ name: String, municipality: String, except id: String?) throws {
        let key = name.lowercased()
        if let other = try serviceAreas(db, municipality: municipality).first(where: { $0.id != id && $0.name.lowercased() == key }) {
            throw Problem.conflict("service-area-name-taken",
                                   "Service area '\(other.id)' is already called '\(other.name)' in this municipality; choose another name.")
        }
    }
}
