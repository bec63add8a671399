import Foundation
import GRDB
import MedvirkCore

extension Store {
    public func municipality(_ id: String) async throws -> Municipality? {
        try await pool.read { db in try Self.liveMunicipality(db, id) }
    }

    static func liveMunicipality(_ db: Database, _ id: String) throws -> Municipality? {
        try MunicipalityRecord.live(db, id)?.municipality
    }

    public func municipalities(_ page: PageRequest) async throws -> Page<Municipality> {
        try await pool.read { db in
            let records = try MunicipalityRecord.fetchAll(db.cachedStatement(sql: """
                SELECT * FROM municipalities WHERE deleted_at IS NULL AND seq > ? ORDER BY seq LIMIT ?
                """), arguments: [page.after?.after ?? 0, page.limit + 1])
            return self.page(records, limit: page.limit, map: \.municipality)
        }
    }

    // MARK: Writes

    public func createMunicipality(_ draft: MunicipalityDraft, actor: WriteActor) async throws -> Municipality {
        try draft.validate()
        return try await pool.write { db in
            if try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM municipalities WHERE id = ?"), arguments: [draft.id]) == true {
                throw Problem.conflict("id-taken", "A municipality with id '\(draft.id)' exists or existed; ids are never reused.")
            }
            let prefix: String
            if let chosen = draft.receiptPrefix {
                try Self.checkReceiptPrefixFree(db, chosen, for: draft.id)
                prefix = chosen
            } else {
                prefix = try Self.freeReceiptPrefix(db, for: draft.id)
            }
            let now = self.clock.now()
            let record = MunicipalityRecord(
                id: draft.id, name: draft.name, country: draft.country.rawValue,
                language: (draft.language ?? .default(for: draft.country)).rawValue, timeZone: draft.timeZone,
                receiptPrefix: prefix, website: draft.website, minHearingDays: draft.minHearingDays,
                personalDataRetentionDays: draft.retentionDays, createdAt: now, updatedAt: now)
            try record.insert(db)
            try Self.recordWrite(db, actor: actor, municipality: draft.id, [.created(.municipality, draft.id)], now: now)
            return record.municipality
        }
    }

    public func updateMunicipality(_ draft: MunicipalityDraft, actor: WriteActor) async throws -> Municipality {
        try draft.validate()
        return try await pool.write { db in
            guard var record = try MunicipalityRecord.live(db, draft.id) else { throw Problem.notFound("municipality", draft.id) }
            let current = record.municipality
            let prefix = draft.receiptPrefix ?? current.receiptPrefix
            if prefix != current.receiptPrefix {
                if try Bool.fetchOne(db, sql: "SELECT 1 FROM responses WHERE municipality_id = ? LIMIT 1", arguments: [draft.id]) == true {
                    throw Problem.conflict("receipt-prefix-in-use", "Receipts numbered \(current.receiptPrefix)-… exist already; the receipt prefix cannot change.")
                }
                try Self.checkReceiptPrefixFree(db, prefix, for: draft.id)
            }
            // A change of country brings the language back to the new country's default unless one is given.
            let language = draft.language ?? (draft.country == current.country ? current.language : .default(for: draft.country))
            guard Language.allowed(in: draft.country).contains(language) else {
                throw Problem.validation([FieldError("language", "'\(language.rawValue)' is not a language of \(draft.country.rawValue)")])
            }
            let now = self.clock.now()
            (record.name, record.country, record.language, record.timeZone) = (draft.name, draft.country.rawValue, language.rawValue, draft.timeZone)
            (record.receiptPrefix, record.website, record.updatedAt) = (prefix, draft.website, now)
            (record.minHearingDays, record.personalDataRetentionDays) = (draft.minHearingDays, draft.retentionDays)
            try record.update(db)
            try Self.recordWrite(db, actor: actor, municipality: draft.id, [.updated(.municipality, draft.id)], now: now)
            return record.municipality
        }
    }

    /// Refuses (409) while the municipality still has councils or service areas.
    public func deleteMunicipality(_ id: String, actor: WriteActor) async throws {
        try await pool.write { db in
            guard var record = try MunicipalityRecord.live(db, id) else { throw Problem.notFound("municipality", id) }
            let councils = try Int.fetchOne(db.cachedStatement(sql: "SELECT count(*) FROM councils WHERE municipality_id = ? AND deleted_at IS NULL"), arguments: [id]) ?? 0
            let areas = try Int.fetchOne(db.cachedStatement(sql: "SELECT count(*) FROM service_areas WHERE municipality_id = ? AND deleted_at IS NULL"), arguments: [id]) ?? 0
            if councils > 0 || areas > 0 {
                throw Problem.conflict("municipality-not-empty", "Municipality '\(id)' still has \(councils) council(s) and \(areas) service area(s); delete them first.")
            }
            let now = self.clock.now()
            (record.deletedAt, record.updatedAt) = (now, now)
            try record.update(db)
            try Self.recordWrite(db, actor: actor, municipality: id, [.deleted(.municipality, id)], now: now)
        }
    }

    // MARK: Receipt prefixes

    /// 409 when another municipality (deleted ones included: their receipts still exist) has the prefix.
    static func checkReceiptPrefixFree(_ db: Database, _ prefix: String, for id: String) throws {
        if let holder = try String.fetchOne(db, sql: "SELECT id FROM municipalities WHERE receipt_prefix = ? AND id <> ?", arguments: [prefix, id]) {
            throw Problem.conflict("receipt-prefix-taken", "The receipt prefix \(prefix) belongs to municipality '\(holder)'; choose another.")
        }
    }

    /// The first of `ReceiptPrefix.candidates` that no municipality has.
    static func freeReceiptPrefix(_ db: Database, for id: String) throws -> String {
        let taken = Set(try String.fetchAll(db, sql: "SELECT receipt_prefix FROM municipalities WHERE receipt_prefix IS NOT NULL AND id <> ?",
                                            arguments: [id]))
        guard let free = ReceiptPrefix.candidates(for: id).first(where: { !taken.contains($0) }) else {
            throw Problem.conflict("receipt-prefix-taken", "No free receipt prefix could be derived from '\(id)'; choose one with receipt_prefix.")
        }
        return free
    }

    /// The one-time step migration 0011 schedules: every municipality without a prefix gets one, in creation
    /// order, so the first of two that shared a series keeps it and the later one gets a new one.
    static func assignReceiptPrefixes(_ db: Database, now: Date) throws {
        guard try db.tableExists("maintenance_tasks"),
              try Bool.fetchOne(db, sql: "SELECT done_at IS NULL FROM maintenance_tasks WHERE task = 'receipt-prefixes'") == true
        else { return }
        for id in try String.fetchAll(db, sql: "SELECT id FROM municipalities WHERE receipt_prefix IS NULL ORDER BY seq") {
            try db.execute(sql: "UPDATE municipalities SET receipt_prefix = ? WHERE id = ?", arguments: [try freeReceiptPrefix(db, for: id), id])
        }
        try db.execute(sql: "UPDATE maintenance_tasks SET done_at = ? WHERE task = 'receipt-prefixes'", arguments: [Timestamps.format(now)])
    }
}
