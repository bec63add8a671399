import Foundation
import GRDB
import MedvirkCore

extension Store {
    /// The columns `consultation(_:)` reads, by position (a lookup by name costs a case-insensitive search
    /// per column, and every submission reads its consultation inside the single writer).
    static let consultationFields = """
        c.id, c.municipality_id, c.service_area_id, c.title, c.summary, c.body, c.case_number, c.documents, c.opens_at,
        c.closes_at, c.status, c.audience, c.late_policy, c.publish_responses, c.conclusion_summary, c.conclusion_memo_url,
        c.concluded_at, c.tags, c.created_at, c.updated_at, c.seq, c.short_period_reason, c.memo_introduction, c.memo_recommendation,
        c.personal_data_retention_days, c.withdrawn_at, c.personal_data_erased_at,
        (SELECT time_zone FROM municipalities WHERE id = c.municipality_id),
        (SELECT json_object('version', version, 'published_at', published_at) FROM memo_versions
         WHERE consultation_id = c.id AND retracted_at IS NULL ORDER BY version DESC LIMIT 1)
        """
    static let consultationColumns = """
        \(consultationFields),
        (SELECT count(*) FROM responses r WHERE r.consultation_id = c.id AND r.status != 'withdrawn') AS received_count,
        (SELECT count(*) FROM responses r WHERE r.consultation_id = c.id AND r.status = 'published') AS published_count
        """

    static func consultation(_ row: Row) throws -> Consultation {
        let summary: String? = row[14], memo: String? = row[15]
        let concludedAt = (row[16] as String?).map(Timestamps.parse)
        let conclusion = summary == nil && memo == nil && concludedAt == nil
            ? nil : Conclusion(summary: summary, memoURL: memo, concludedAt: concludedAt)
        let draft = ConsultationDraft(
            municipalityId: row[1], serviceAreaId: row[2], title: row[3], summary: row[4], body: row[5], caseNumber: row[6],
            documents: try JSONColumn.decodeList(ConsultationDocument.self, row[7]),
            opensAt: Timestamps.parse(row[8]), closesAt: Timestamps.parse(row[9]),
            status: ConsultationStatus(rawValue: row[10]) ?? .draft, audience: Audience(rawValue: row[11]) ?? .public,
            latePolicy: LatePolicy(rawValue: row[12]) ?? .reject,
            publishResponses: PublishResponses(rawValue: row[13]) ?? .onApproval,
            conclusion: conclusion, tags: try JSONColumn.decodeList(String.self, row[17]), shortPeriodReason: row[21],
            memoIntroduction: row[22], memoRecommendation: row[23], retentionDays: row[24])
        var consultation = Consultation(id: row[0], draft: draft, received: row[29], published: row[30],
                                        createdAt: Timestamps.parse(row[18]), updatedAt: Timestamps.parse(row[19]))
        consultation.withdrawnAt = (row[25] as String?).map(Timestamps.parse)
        consultation.personalDataErasedAt = (row[26] as String?).map(Timestamps.parse)
        consultation.timeZone = row[27] ?? "UTC"
        if let memo = row[28] as String?, let latest = try? JSONSerialization.jsonObject(with: Data(memo.utf8)) as? [String: Any],
           let version = latest["version"] as? Int, let published = latest["published_at"] as? String {
            consultation.memo = MemoVersionInfo(version: version, publishedAt: Timestamps.parse(published))
        }
        return consultation
    }

    /// `counted: false` skips the response counts (left 0), which cost a pass over the responses: the
    /// write paths that only need the consultation's rules use it.
    static func liveConsultation(_ db: Database, _ id: String, counted: Bool = true) throws -> Consultation? {
        try Row.fetchOne(db.cachedStatement(sql: counted ? liveConsultationCounted : liveConsultationUncounted), arguments: [id])
            .map(consultation)
    }

    /// Built once: every submission reads its consultation inside the single writer.
    static let liveConsultationCounted = "SELECT \(consultationColumns) FROM consultations c WHERE c.id = ? AND c.deleted_at IS NULL"
    static let liveConsultationUncounted = """
        SELECT \(consultationFields), 0 AS received_count, 0 AS published_count FROM consultations c WHERE c.id = ? AND c.deleted_at IS NULL
        """

    public func consultation(_ id: String) async throws -> Consultation? {
        try await pool.read { db in try Self.liveConsultation(db, id) }
    }

    public func consultations(_ filter: ConsultationFilter, _ page: PageRequest) async throws -> Page<Consultation> {
        let fts = filter.query.map(Self.ftsQuery)
        if case .some(.none) = fts { return Page(items: [], next: nil) }
        let match = fts ?? nil
        let now = Timestamps.format(clock.now())
        return try await pool.read { db in
            let rows = try Row.fetchAll(db.cachedStatement(sql: """
                SELECT \(Self.consultationColumns) FROM consultations c
                WHERE c.deleted_at IS NULL AND c.seq > ?1
                  AND \(Readable.condition(.consultation, "c", reader: "?9", now: "?8"))
                  AND (?3 IS NULL OR c.municipality_id = ?3)
                  AND (?4 IS NULL OR c.status = ?4)
                  AND (?5 IS NULL OR c.service_area_id = ?5)
                  AND (?6 IS NULL OR c.seq IN (SELECT rowid FROM consultations_fts WHERE consultations_fts MATCH ?6))
                  AND (?7 IS NULL
                       OR (?7 = 'upcoming' AND c.opens_at > ?8)
                       OR (?7 = 'open' AND c.opens_at <= ?8 AND c.closes_at > ?8)
                       OR (?7 = 'closed' AND c.closes_at <= ?8))
                ORDER BY c.seq LIMIT ?2
                """), arguments: [page.after?.after ?? 0, page.limit + 1, filter.municipality, filter.status?.rawValue,
                                 filter.serviceArea, match, filter.phase?.rawValue, now,
                                 filter.reader.argument])
            return try self.page(rows, limit: page.limit, map: Self.consultation)
        }
    }

    /// Published consultations of a municipality (or all) that are upcoming or open now, for the deadline calendar.
    public func upcomingDeadlines(municipality: String?) async throws -> [Consultation] {
        let now = Timestamps.format(clock.now())
        return try await pool.read { db in
            try Row.fetchAll(db.cachedStatement(sql: """
                SELECT \(Self.consultationColumns) FROM consultations c
                WHERE \(Readable.publicCondition(.consultation, "c", now: "?1")) AND c.status = 'published' AND c.closes_at > ?1
                  AND (?2 IS NULL OR c.municipality_id = ?2)
                ORDER BY c.closes_at, c.seq LIMIT 1000
                """), arguments: [now, municipality]).map(Self.consultation)
        }
    }

    // MARK: Writes

    public func createConsultation(_ draft: ConsultationDraft, actor: WriteActor) async throws -> Consultation {
        try draft.validate()
        guard draft.status == .draft || draft.status == .published else {
            throw Problem.validation([FieldError("status", "a new consultation is a draft or published")])
        }
        return try await pool.write { db in
            try Self.checkReferences(db, References(municipalityId: draft.municipalityId, serviceAreaId: draft.serviceAreaId))
            if let municipality = try Self.liveMunicipality(db, draft.municipalityId) {
                try HearingPeriod.check(draft, previous: nil, timeZone: municipality.timeZone, minimum: municipality.minHearingDays)
            }
            let now = self.clock.now()
            let id = Identifiers.make("hor")
            var draft = draft
            let files: [Change]
            (draft.documents, files) = try Self.attachDocuments(db, owner: .consultation, id, municipality: draft.municipalityId, old: [],
                                                                new: draft.documents, now: now)
            let record = ConsultationRecord(id: id, draft: draft, createdAt: now, updatedAt: now)
            try record.insert(db)
            try Self.recordWrite(db, actor: actor, municipality: draft.municipalityId, [Change.created(.consultation, record.id).named(draft.status == .published ? "consultation.published" : nil)] + files,
                                 now: now)
            try Self.announceClockMoments(db, now: now, lead: closingSoonLead, consultation: id)
            return try Self.liveConsultation(db, record.id)!
        }
    }

    /// Applies the lifecycle rules against the stored consultation inside the write transaction.
    public func updateConsultation(_ id: String, _ draft: ConsultationDraft, actor: WriteActor) async throws -> Consultation {
        try draft.validate()
        let now = clock.now()
        return try await pool.write { db in
            guard let stored = try ConsultationRecord.live(db, id), let current = try Self.liveConsultation(db, id, counted: false) else {
                throw Problem.notFound("consultation", id)
            }
            if current.draft.municipalityId != draft.municipalityId {
                throw Problem.validation([FieldError("municipality_id", "cannot be changed")])
            }
            try current.draft.checkChange(to: draft, now: now, hasMemo: current.memo != nil)
            var draft = draft
            if draft.status == .concluded, current.draft.status != .concluded {
                // A consultation concluded by its memo alone gets a conclusion that holds only the date.
                if draft.conclusion == nil { draft.conclusion = Conclusion(summary: nil, memoURL: nil, concludedAt: nil) }
                draft.conclusion?.concludedAt = now
            }
            try Self.checkReferences(db, References(municipalityId: draft.municipalityId, serviceAreaId: draft.serviceAreaId))
            if let municipality = try Self.liveMunicipality(db, draft.municipalityId) {
                try HearingPeriod.check(draft, previous: current.draft, timeZone: municipality.timeZone, minimum: municipality.minHearingDays)
            }
            let files: [Change]
            (draft.documents, files) = try Self.attachDocuments(db, owner: .consultation, id, municipality: draft.municipalityId,
                                                                old: current.draft.documents, new: draft.documents, now: now)
            var record = stored.updated(draft, at: now)
            if draft.status == .withdrawn, current.draft.status != .withdrawn { record.withdrawnAt = now }
            try record.update(db)
            // Publishing, withdrawing or moving the deadline changes which parties and responses the public reads.
            let event: String? = switch (current.draft.status, draft.status) {
            case (.draft, .published): "consultation.published"
            case (.published, .withdrawn): "consultation.withdrawn"
            case (.published, .concluded): "consultation.concluded"
            default: nil
            }
            var change = Change.updated(.consultation, id).named(event)
            if draft.status != current.draft.status || draft.publishResponses != current.draft.publishResponses
                || draft.closesAt != current.draft.closesAt {
                change = change.cascading()
            }
            try Self.recordWrite(db, actor: actor, municipality: draft.municipalityId, [change] + files, now: now)
            if draft.opensAt != current.draft.opensAt || draft.closesAt != current.draft.closesAt {
                try Self.rescheduleClockMoments(db, consultation: id, opensAt: draft.opensAt, closesAt: draft.closesAt, now: now, lead: closingSoonLead)
            }
            try Self.announceClockMoments(db, now: now, lead: closingSoonLead, consultation: id)
            return try Self.liveConsultation(db, id)!
        }
    }

    /// Only drafts can be deleted; a published consultation is withdrawn instead, keeping its responses.
    public func deleteConsultation(_ id: String, actor: WriteActor) async throws {
        try await pool.write { db in
            guard var record = try ConsultationRecord.live(db, id) else { throw Problem.notFound("consultation", id) }
            guard record.status == .draft else {
                throw Problem.conflict("consultation-not-draft", "Only a draft can be deleted; withdraw a published consultation instead.")
            }
            let now = self.clock.now()
            (record.deletedAt, record.updatedAt) = (now, now)
            try record.update(db)
            // Its hosted documents are freed (and purged in time).
            let files = try Self.attachDocuments(db, owner: .consultation, id, municipality: record.municipalityId, old: record.documents,
                                                 new: [], now: now).changes
            try Self.recordWrite(db, actor: actor, municipality: record.municipalityId, [Change.deleted(.consultation, id).cascading()] + files, now: now)
        }
    }
}
