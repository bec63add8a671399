import Foundation
import GRDB
import MedvirkCore

extension Store {
    static func liveChannel(_ db: Database, _ id: String) throws -> DialogueChannel? {
        try DialogueChannelRecord.live(db, id)?.channel
    }

    public func channel(_ id: String) async throws -> DialogueChannel? {
        try await pool.read { db in try Self.liveChannel(db, id) }
    }

    public func channels(_ filter: ChannelFilter, _ page: PageRequest) async throws -> Page<DialogueChannel> {
        try await pool.read { db in
            let records = try DialogueChannelRecord.fetchAll(db, sql: """
                SELECT * FROM dialogue_channels
                WHERE deleted_at IS NULL AND seq > ?1
                  AND (?3 IS NULL OR municipality_id = ?3) AND (?4 IS NULL OR service_area_id = ?4)
                  AND (?5 IS NULL OR target_group = ?5) AND (?6 IS NULL OR user_category = ?6)
                  AND (?7 IS NULL OR purpose = ?7) AND (?8 IS NULL OR kind = ?8)
                ORDER BY seq LIMIT ?2
                """, arguments: [page.after?.after ?? 0, page.limit + 1, filter.municipality, filter.serviceArea,
                                 filter.targetGroup?.rawValue, filter.userCategory?.rawValue, filter.purpose?.rawValue,
                                 filter.kind?.rawValue])
            return self.page(records, limit: page.limit, map: \.channel)
        }
    }

    /// Every live channel and service area of a municipality, for the overview.
    public func inventory(municipality: String) async throws -> (areas: [ServiceArea], channels: [DialogueChannel]) {
        try await pool.read { db in
            let areas = try Self.serviceAreas(db, municipality: municipality)
            let channels = try DialogueChannelRecord.fetchAll(
                db, sql: "SELECT * FROM dialogue_channels WHERE municipality_id = ? AND deleted_at IS NULL ORDER BY seq",
                arguments: [municipality]).map(\.channel)
            return (areas, channels)
        }
    }

    // MARK: Writes

    static func insertChannel(_ db: Database, _ draft: DialogueChannelDraft, actor: WriteActor, at time: Date) throws -> DialogueChannel {
        let record = DialogueChannelRecord(id: Identifiers.make("chn"), draft: draft, createdAt: time, updatedAt: time)
        try record.insert(db)
        try recordWrite(db, actor: actor, municipality: draft.municipalityId, [.created(.dialogueChannel, record.id)], now: time)
        return record.channel
    }

    public func createChannel(_ draft: DialogueChannelDraft, actor: WriteActor) async throws -> DialogueChannel {
        try draft.validate()
        return try await pool.write { db in
            try Self.checkReferences(db, References(municipalityId: draft.municipalityId, serviceAreaId: draft.serviceAreaId, councilId: draft.councilId))
            return try Self.insertChannel(db, draft, actor: actor, at: self.clock.now())
        }
    }

    public func updateChannel(_ id: String, _ draft: DialogueChannelDraft, actor: WriteActor) async throws -> DialogueChannel {
        try draft.validate()
        return try await pool.write { db in
            guard let current = try DialogueChannelRecord.live(db, id) else { throw Problem.notFound("dialogue channel", id) }
            if current.municipalityId != draft.municipalityId {
                throw Problem.validation([FieldError("municipality_id", "cannot be changed")])
            }
            try Self.checkReferences(db, References(municipalityId: draft.municipalityId, serviceAreaId: draft.serviceAreaId, councilId: draft.councilId))
            return try Self.writeChannel(db, current, draft, actor: actor, at: self.clock.now())
        }
    }

    /// Stores `draft` over the channel `current` holds and records the change.
    static func writeChannel(_ db: Database, _ current: DialogueChannelRecord, _ draft: DialogueChannelDraft, actor: WriteActor,
                             at time: Date) throws -> DialogueChannel {
        let record = current.updated(draft, at: time)
        try record.update(db)
        try Self.recordWrite(db, actor: actor, municipality: draft.municipalityId, [.updated(.dialogueChannel, record.id)], now: time)
        return record.channel
    }

    public func deleteChannel(_ id: String, actor: WriteActor) async throws {
        try await pool.write { db in
            guard var record = try DialogueChannelRecord.live(db, id) else { throw Problem.notFound("dialogue channel", id) }
            let now = self.clock.now()
            (record.deletedAt, record.updatedAt) = (now, now)
            try record.update(db)
            try Self.recordWrite(db, actor: actor, municipality: record.municipalityId, [.deleted(.dialogueChannel, id)], now: now)
        }
    }

    /// The live channel and council ids of a municipality, for checking an import's rows before it is stored.
    public func importReferences(municipality: String) async throws -> ChannelImportReferences {
        try await pool.read { db in
            ChannelImportReferences(
                channels: Set(try String.fetchAll(db, sql: "SELECT id FROM dialogue_channels WHERE municipality_id = ? AND deleted_at IS NULL",
                                                  arguments: [municipality])),
                councils: Set(try String.fetchAll(db, sql: "SELECT id FROM councils WHERE municipality_id = ? AND deleted_at IS NULL",
                                                  arguments: [municipality])))
        }
    }

    /// Stores every row or none: a row with an `id` updates that channel (it must be a live channel of this
    /// municipality, else the import is a 422 naming every such row), a row without one creates a channel;
    /// channels missing from the file are left as they are. Service areas are matched by name
    /// (case-insensitively) and created when missing.
    public func importChannels(municipality: String, _ rows: [ChannelImportRow], actor: WriteActor) async throws -> ChannelImportResult {
        try await pool.write { db in
            guard try Self.liveMunicipality(db, municipality) != nil else { throw Problem.notFound("municipality", municipality) }
            var errors: [FieldError] = []
            for row in rows {
                if let id = row.id, try Self.liveChannel(db, id)?.draft.municipalityId != municipality {
                    errors.append(FieldError("row \(row.line): id", "no dialogue channel '\(id)' in this municipality (deleted, or never made here); leave id empty to create a channel"))
                }
                if let councilId = row.draft.councilId, try Self.liveCouncil(db, councilId)?.draft.municipalityId != municipality {
                    errors.append(FieldError("row \(row.line): council_id", "no council '\(councilId)' in this municipality"))
                }
            }
            if !errors.isEmpty {
                throw Problem.validation(Array(errors.prefix(Problem.maxListedErrors)), total: errors.count,
                                         detail: "Nothing was imported; fix the rows listed in errors and send the whole file again.")
            }
            var areas = Dictionary(try Self.serviceAreas(db, municipality: municipality).map { ($0.name.lowercased(), $0.id) },
                                   uniquingKeysWith: { first, _ in first })
            var result = ChannelImportResult()
            for row in rows {
                let key = row.serviceAreaName.lowercased()
                var draft = row.draft
                if let id = areas[key] {
                    draft.serviceAreaId = id
                } else {
                    let now = self.clock.now()
                    let area = ServiceAreaRecord(id: Identifiers.make("sa"), municipalityId: municipality, name: row.serviceAreaName,
                                                 createdAt: now, updatedAt: now)
                    try area.insert(db)
                    try Self.recordWrite(db, actor: actor, municipality: municipality, [.created(.serviceArea, area.id)], now: now)
                    areas[key] = area.id
                    result.serviceAreasCreated.append(row.serviceAreaName)
                    draft.serviceAreaId = area.id
                }
                if let id = row.id, let current = try DialogueChannelRecord.live(db, id) {
                    draft = row.draft(updating: current.channel.draft)
                    draft.serviceAreaId = areas[key] ?? draft.serviceAreaId
                    _ = try Self.writeChannel(db, current, draft, actor: actor, at: self.clock.now())
                    result.updated += 1
                } else {
                    _ = try Self.insertChannel(db, draft, actor: actor, at: self.clock.now())
                    result.created += 1
                }
            }
            return result
        }
    }
}
