import Foundation
import GRDB
import MedvirkCore

extension Store {
    static func channel(_ row: Row) -> DialogueChannel {
        let per = (row["cadence_per"] as String?).flatMap(CadencePeriod.init)
        let count: Double? = row["cadence_count"]
        let draft = DialogueChannelDraft(
            municipalityId: row["municipality_id"], serviceAreaId: row["service_area_id"],
            targetGroup: TargetGroup(rawValue: row["target_group"]) ?? .serviceUsers,
            userCategory: UserCategory(rawValue: row["user_category"]) ?? .other,
            purpose: ChannelPurpose(rawValue: row["purpose"]) ?? .informal, kind: ChannelKind(rawValue: row["kind"]) ?? .other,
            name: row["name"], description: row["description"],
            cadence: per.flatMap { per in count.map { Cadence(count: $0, per: per) } },
            volume: row["volume"], assessment: row["assessment"], plannedChanges: row["planned_changes"],
            councilId: row["council_id"], active: row["active"])
        return DialogueChannel(id: row["id"], draft: draft, createdAt: Timestamps.parse(row["created_at"]),
                               updatedAt: Timestamps.parse(row["updated_at"]))
    }

    static func liveChannel(_ db: Database, _ id: String) throws -> DialogueChannel? {
        try Row.fetchOne(db, sql: "SELECT * FROM dialogue_channels WHERE id = ? AND deleted_at IS NULL", arguments: [id]).map(channel)
    }

    public func channel(_ id: String) async throws -> DialogueChannel? {
        try await pool.read { db in try Self.liveChannel(db, id) }
    }

    public func channels(_ filter: ChannelFilter, _ page: PageRequest) async throws -> Page<DialogueChannel> {
        try await pool.read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT * FROM dialogue_channels
                WHERE deleted_at IS NULL AND seq > ?1
                  AND (?3 IS NULL OR municipality_id = ?3) AND (?4 IS NULL OR service_area_id = ?4)
                  AND (?5 IS NULL OR target_group = ?5) AND (?6 IS NULL OR user_category = ?6)
                  AND (?7 IS NULL OR purpose = ?7) AND (?8 IS NULL OR kind = ?8)
                ORDER BY seq LIMIT ?2
                """, arguments: [page.after?.after ?? 0, page.limit + 1, filter.municipality, filter.serviceArea,
                                 filter.targetGroup?.rawValue, filter.userCategory?.rawValue, filter.purpose?.rawValue,
                                 filter.kind?.rawValue])
            return self.page(rows, limit: page.limit, map: Self.channel)
        }
    }

    /// Every live channel and service area of a municipality, for the overview.
    public func inventory(municipality: String) async throws -> (areas: [ServiceArea], channels: [DialogueChannel]) {
        try await pool.read { db in
            let areas = try Row.fetchAll(db, sql: "SELECT * FROM service_areas WHERE municipality_id = ? AND deleted_at IS NULL ORDER BY seq",
                                         arguments: [municipality]).map(Self.serviceArea)
            let channels = try Row.fetchAll(db, sql: "SELECT * FROM dialogue_channels WHERE municipality_id = ? AND deleted_at IS NULL ORDER BY seq",
                                            arguments: [municipality]).map(Self.channel)
            return (areas, channels)
        }
    }

    // MARK: Writes

    static func checkReferences(_ db: Database, _ draft: DialogueChannelDraft) throws {
        guard try liveMunicipality(db, draft.municipalityId) != nil else {
            throw Problem.validation([FieldError("municipality_id", "no municipality '\(draft.municipalityId)'")])
        }
        var errors: [FieldError] = []
        if try liveServiceArea(db, draft.serviceAreaId)?.municipalityId != draft.municipalityId {
            errors.append(FieldError("service_area_id", "no service area '\(draft.serviceAreaId)' in municipality '\(draft.municipalityId)'"))
        }
        if let councilId = draft.councilId, try liveCouncil(db, councilId)?.draft.municipalityId != draft.municipalityId {
            errors.append(FieldError("council_id", "no council '\(councilId)' in municipality '\(draft.municipalityId)'"))
        }
        try Problem.check(errors)
    }

    static func channelArguments(_ d: DialogueChannelDraft) -> [(any DatabaseValueConvertible)?] {
        [d.serviceAreaId, d.targetGroup.rawValue, d.userCategory.rawValue, d.purpose.rawValue, d.kind.rawValue, d.name,
         d.description, d.cadence?.count, d.cadence?.per.rawValue, d.volume, d.assessment, d.plannedChanges, d.councilId, d.active]
    }

    static func insertChannel(_ db: Database, _ draft: DialogueChannelDraft, actor: WriteActor, at time: Date) throws -> String {
        let id = Identifiers.make("chn")
        let now = Timestamps.format(time)
        try db.execute(sql: """
            INSERT INTO dialogue_channels (service_area_id, target_group, user_category, purpose, kind, name, description, cadence_count,
                cadence_per, volume, assessment, planned_changes, council_id, active, id, municipality_id, created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: StatementArguments(channelArguments(draft) + [id, draft.municipalityId, now, now]))
        try recordWrite(db, actor: actor, municipality: draft.municipalityId, [.created(.dialogueChannel, id)], now: time)
        return id
    }

    public func createChannel(_ draft: DialogueChannelDraft, actor: WriteActor) async throws -> DialogueChannel {
        try draft.validate()
        return try await pool.write { db in
            try Self.checkReferences(db, draft)
            return try Self.liveChannel(db, try Self.insertChannel(db, draft, actor: actor, at: self.clock.now()))!
        }
    }

    public func updateChannel(_ id: String, _ draft: DialogueChannelDraft, actor: WriteActor) async throws -> DialogueChannel {
        try draft.validate()
        return try await pool.write { db in
            guard let current = try Self.liveChannel(db, id) else { throw Problem.notFound("dialogue channel", id) }
            if current.draft.municipalityId != draft.municipalityId {
                throw Problem.validation([FieldError("municipality_id", "cannot be changed")])
            }
            try Self.checkReferences(db, draft)
            try Self.writeChannel(db, id, draft, actor: actor, at: self.clock.now())
            return try Self.liveChannel(db, id)!
        }
    }

    static func writeChannel(_ db: Database, _ id: String, _ draft: DialogueChannelDraft, actor: WriteActor, at time: Date) throws {
        try db.execute(sql: """
            UPDATE dialogue_channels SET service_area_id = ?, target_group = ?, user_category = ?, purpose = ?, kind = ?, name = ?,
                description = ?, cadence_count = ?, cadence_per = ?, volume = ?, assessment = ?, planned_changes = ?, council_id = ?,
                active = ?, updated_at = ?
            WHERE id = ?
            """, arguments: StatementArguments(Self.channelArguments(draft) + [Timestamps.format(time), id]))
        try Self.recordWrite(db, actor: actor, municipality: draft.municipalityId, [.updated(.dialogueChannel, id)], now: time)
    }

    public func deleteChannel(_ id: String, actor: WriteActor) async throws {
        try await pool.write { db in
            guard let current = try Self.liveChannel(db, id) else { throw Problem.notFound("dialogue channel", id) }
            let now = Timestamps.format(self.clock.now())
            try db.execute(sql: "UPDATE dialogue_channels SET deleted_at = ?, updated_at = ? WHERE id = ?", arguments: [now, now, id])
            try Self.recordWrite(db, actor: actor, municipality: current.draft.municipalityId, [.deleted(.dialogueChannel, id)], now: self.clock.now())
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
            var areas = Dictionary(try Row.fetchAll(db, sql: "SELECT * FROM service_areas WHERE municipality_id = ? AND deleted_at IS NULL",
                                                    arguments: [municipality]).map(Self.serviceArea).map { ($0.name.lowercased(), $0.id) },
                                   uniquingKeysWith: { first, _ in first })
            var result = ChannelImportResult()
            for row in rows {
                let key = row.serviceAreaName.lowercased()
                var draft = row.draft
                if let id = areas[key] {
                    draft.serviceAreaId = id
                } else {
                    let id = Identifiers.make("sa")
                    let now = Timestamps.format(self.clock.now())
                    try db.execute(sql: """
                        INSERT INTO service_areas (id, municipality_id, name, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
                        """, arguments: [id, municipality, row.serviceAreaName, now, now])
                    try Self.recordWrite(db, actor: actor, municipality: municipality, [.created(.serviceArea, id)], now: self.clock.now())
                    areas[key] = id
                    result.serviceAreasCreated.append(row.serviceAreaName)
                    draft.serviceAreaId = id
                }
                if let id = row.id, let current = try Self.liveChannel(db, id) {
                    draft = row.draft(updating: current.draft)
                    draft.serviceAreaId = areas[key] ?? draft.serviceAreaId
                    try Self.writeChannel(db, id, draft, actor: actor, at: self.clock.now())
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
