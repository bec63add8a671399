import Foundation
import GRDB
import MedvirkCore

/// What a submission led to: a new stored response, or the answer to an earlier identical one.
public enum SubmissionOutcome: Sendable {
    case created(HearingResponse)
    /// The earlier submission's response as it was acknowledged (`asReceived`).
    case replayed(HearingResponse)
    /// The answer stored with a key written before replays were rebuilt from the response (migration 0006).
    case replayedAnswer(Data)
}

extension Store {
    /// The columns `response(_:)` reads, by position: exports map hundreds of thousands of rows, and a
    /// lookup by name costs a case-insensitive search per column.
    /// Over the row aliased `r`: the attachments as a JSON array (`ResponseAttachment`), then the answer type,
    /// the analysis (its themes looked up only for an analysed response: exports read every row) and the erasure.
    static let responseColumns = """
        r.id, r.consultation_id, r.municipality_id, r.receipt_number, r.token_id, r.party_id, r.respondent, r.text, r.received_at, r.late,
        r.sha256, r.contains_national_id, r.status, r.withheld_reason, r.redactions, r.updated_at, r.seq, r.moderation_note,
        \(attachmentsColumn), r.answer_type, r.analysis_summary, r.analysis_assessment, r.analysis_accommodated, r.analysed_at,
        CASE WHEN r.analysed_at IS NULL THEN '[]'
             ELSE (SELECT json_group_array(theme_id) FROM (SELECT theme_id FROM response_themes WHERE response_id = r.id ORDER BY position)) END,
        r.personal_data_erased_at
        """

    static func fileSummaryJSON(_ alias: String) -> String {
        "json_object('id', \(alias).id, 'filename', \(alias).filename, 'media_type', \(alias).media_type, 'size', \(alias).size, 'sha256', \(alias).sha256)"
    }

    /// A response's attachments in the order submitted (redacted copies appear inside their original).
    static let attachmentsColumn = """
        (SELECT coalesce(json_group_array(json_object(
            'file', \(fileSummaryJSON("f")), 'title', f.title, 'status', f.moderation, 'reason', f.moderation_reason,
            'personal_data_checked', json(CASE f.personal_data_checked WHEN 1 THEN 'true' ELSE 'false' END),
            'replacement_file_id', f.replacement_file_id,
            'replacement', CASE WHEN rf.id IS NULL THEN NULL ELSE \(fileSummaryJSON("rf")) END)), '[]')
         FROM (SELECT * FROM files WHERE owner_id = r.id AND owner_type = 'response' AND replaces_file_id IS NULL
               ORDER BY attachment_position) f
         LEFT JOIN files rf ON rf.id = f.replacement_file_id)
        """

    static func response(_ row: Row) throws -> HearingResponse {
        let submission = Submission(respondent: try JSONColumn.decode(Respondent.self, row[6]), text: row[7], partyId: row[5],
                                    answerType: AnswerType(rawValue: row[19]) ?? .withComments)
        var response = HearingResponse(
            id: row[0], consultationId: row[1], municipalityId: row[2], receiptNumber: row[3], tokenId: row[4], submission: submission,
            receivedAt: Timestamps.parse(row[8]), late: row[9], sha256: row[10], containsNationalId: row[11],
            status: ResponseStatus(rawValue: row[12]) ?? .received, withheldReason: row[13],
            redactions: try JSONColumn.decodeList(String.self, row[14]), updatedAt: Timestamps.parse(row[15]), moderationNote: row[17],
            attachments: try JSONColumn.decodeList(ResponseAttachment.self, row[18]))
        if let analysed = row[23] as String? {
            response.analysis = ResponseAnalysis(summary: row[20], themeIds: try JSONColumn.decodeList(String.self, row[24]),
                                                 assessment: row[21], accommodated: (row[22] as String?).flatMap(Accommodated.init),
                                                 updatedAt: Timestamps.parse(analysed))
        }
        response.personalDataErasedAt = (row[25] as String?).map(Timestamps.parse)
        return response
    }

    static func fetchResponse(_ db: Database, where column: String, _ value: String) throws -> HearingResponse? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT \(responseColumns) FROM responses r WHERE r.\(column) = ?"), arguments: [value]).map(response)
    }

    public func response(_ id: String) async throws -> HearingResponse? {
        try await pool.read { db in try Self.fetchResponse(db, where: "id", id) }
    }

    public func response(receipt: String) async throws -> HearingResponse? {
        try await pool.read { db in try Self.fetchResponse(db, where: "receipt_number", receipt) }
    }

    /// A page of a consultation's responses that `reader` may read (see `Readable`: the public sees published
    /// ones, under `after_deadline` only once the deadline has passed, under `never` none), optionally of one status.
    public func responses(consultation: String, status: ResponseStatus?, reader: Reader, _ page: PageRequest) async throws -> Page<HearingResponse> {
        let now = Timestamps.format(clock.now())
        return try await pool.read { db in
            let rows = try Row.fetchAll(db.cachedStatement(sql: """
                SELECT \(Self.responseColumns) FROM responses r WHERE r.consultation_id = ?3 AND r.seq > ?1 AND (?4 IS NULL OR r.status = ?4)
                  AND \(Readable.condition(.response, "r", reader: "?5", now: "?6"))
                ORDER BY r.seq LIMIT ?2
                """), arguments: [page.after?.after ?? 0, page.limit + 1, consultation, status?.rawValue, reader.argument, now])
            return try self.page(rows, limit: page.limit, map: Self.response)
        }
    }

    /// The parties of a consultation that a token answers for.
    static func parties(_ db: Database, consultation: String, token: String) throws -> [Party] {
        try Row.fetchAll(db.cachedStatement(sql: """
            SELECT \(partyColumns) FROM parties p WHERE p.consultation_id = ? AND p.partner_token_id = ? AND p.deleted_at IS NULL
            """), arguments: [consultation, token]).map(party)
    }

    // MARK: Submitting

    static let idempotencyWindow: TimeInterval = 24 * 60 * 60

    /// Stores a response durably (the transaction commits with synchronous=FULL before this returns),
    /// or replays the answer to an earlier submission with the same token, key and content.
    public func submitResponse(consultation id: String, _ submission: Submission, token: TokenInfo, idempotencyKey: String,
                               actor: WriteActor) async throws -> SubmissionOutcome {
        try submission.validate()
        var hashed = submission
        if !hashed.attachments.isEmpty {
            // The receipt covers each attached file's bytes: their sha256 goes into the hash.
            let files = try await self.files(hashed.attachments.map(\.fileId))
            for i in hashed.attachments.indices { hashed.attachments[i].sha256 = files[hashed.attachments[i].fileId]?.sha256 }
        }
        let submission = hashed
        let digest = submission.sha256(consultationId: id)
        let now = clock.now()
        return try await submissions.write { db in
            if let replay = try Self.replay(db, token: token.id, key: idempotencyKey, digest: digest, now: now) { return replay }
            guard let consultation = try Self.liveConsultation(db, id, counted: false) else { throw Problem.notFound("consultation", id) }
            let party = try submission.partyId.flatMap { partyId in
                try Self.liveParty(db, partyId).flatMap { $0.consultationId == id ? $0 : nil }
            }
            let late = try SubmissionRules.check(
                consultation, token: token, tokenParties: try Self.parties(db, consultation: id, token: token.id),
                party: party, partyId: submission.partyId, now: now)
            return .created(try Self.insertResponse(db, consultation: consultation, submission, digest: digest, token: token,
                                                    idempotencyKey: idempotencyKey, late: late, now: now, actor: actor))
        }
    }

    /// The answer to an earlier submission with this token and key within the idempotency window; nil when
    /// there is none (an expired key is forgotten). The same key with other content is a 422.
    static func replay(_ db: Database, token: String, key: String, digest: String, now: Date) throws -> SubmissionOutcome? {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: """
            SELECT created_at, request_sha256, answer, response_id FROM idempotency_keys WHERE token_id = ? AND key = ?
            """), arguments: [token, key])
        else { return nil }
        guard now.timeIntervalSince(Timestamps.parse(row[0])) < idempotencyWindow else {
            try db.cachedStatement(sql: "DELETE FROM idempotency_keys WHERE token_id = ? AND key = ?").execute(arguments: [token, key])
            return nil
        }
        guard (row[1] as String) == digest else {
            throw Problem(status: 422, slug: "idempotency-key-reused", title: "Idempotency key reused",
                          detail: "This Idempotency-Key was used for a different submission; use a new key for new content.")
        }
        if let answer = row[2] as Data? { return .replayedAnswer(answer) }
        // Responses are never deleted, and the key references its response.
        guard let response = try fetchResponse(db, where: "id", row[3]) else {
            throw DatabaseError(resultCode: .SQLITE_CORRUPT, message: "idempotency key without its response")
        }
        return .replayed(response.asReceived)
    }

    /// Stores a response with the next receipt number and records its idempotency key, in the caller's transaction.
    /// Returns the response as stored.
    static func insertResponse(_ db: Database, consultation: Consultation, _ submission: Submission, digest: String, token: TokenInfo,
                               idempotencyKey: String, late: Bool, now: Date, actor: WriteActor) throws -> HearingResponse {
        let municipality = consultation.draft.municipalityId
        let stamp = Timestamps.format(now)
        let number = try nextReceiptNumber(db, municipality: municipality, at: now, stamp: stamp)
        // The stored timestamp has millisecond precision; the answer carries what was stored.
        let received = Timestamps.parse(stamp)
        let stored = HearingResponse(
            id: Identifiers.make("res"), consultationId: consultation.id, municipalityId: municipality, receiptNumber: number,
            tokenId: token.id, submission: submission, receivedAt: received, late: late, sha256: digest,
            containsNationalId: HearingResponse.screen(submission), status: .received, withheldReason: nil,
            redactions: [], updatedAt: received)
        try db.cachedStatement(sql: """
            INSERT INTO responses (id, consultation_id, municipality_id, receipt_number, token_id, party_id, respondent, text,
                received_at, late, sha256, contains_national_id, status, redactions, updated_at, screened_with, answer_type)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '[]', ?, \(NationalIdScreening.version), ?)
            """).execute(arguments: [stored.id, stored.consultationId, municipality, number, token.id, submission.partyId,
                             JSONColumn.encode(submission.respondent), submission.text, stamp, late, digest,
                             stored.containsNationalId, stored.status.rawValue, stamp, submission.answerType.rawValue])
        try db.cachedStatement(sql: """
            INSERT INTO idempotency_keys (token_id, key, request_sha256, response_id, created_at) VALUES (?, ?, ?, ?, ?)
            """).execute(arguments: [token.id, idempotencyKey, digest, stored.id, stamp])
        let attached = try attachToResponse(db, stored.id, submission.attachments, token: token.id, municipality: municipality)
        // The consultation's response counts and the party's `responded` are public fields that change with it.
        try Self.recordWrite(db, actor: actor, municipality: municipality,
                             [Change.createdPrivate(.response, stored.id).concerning(token.id), .updatedKeepingVisibility(.consultation, consultation.id)]
                                + [submission.partyId].compactMap { $0 }.map { .updatedKeepingVisibility(.party, $0) }
                                + attached.map { .updatedKeepingVisibility(.file, $0) }, now: now)
        guard !attached.isEmpty else { return stored }
        return try fetchResponse(db, where: "id", stored.id)!
    }

    /// Attaches a submission's files to its new response, withheld until moderation publishes them, in the
    /// caller's transaction. Only files this token uploaded in the response's municipality may be attached
    /// (422 naming `attachments[i].file_id` otherwise); one that already belongs to something is a 409.
    static func attachToResponse(_ db: Database, _ response: String, _ attachments: [AttachmentInput], token: String,
                                 municipality: String) throws -> [String] {
        guard !attachments.isEmpty else { return [] }
        let files = try fetchFiles(db, attachments.map(\.fileId))
        var errors: [FieldError] = []
        for (i, attachment) in attachments.enumerated() {
            guard let file = files[attachment.fileId], file.uploadedBy == token, file.municipalityId == municipality else {
                errors.append(FieldError("attachments[\(i)].file_id", "must name a file this token uploaded to municipality \(municipality)"))
                continue
            }
            if let owner = file.ownerId {
                throw Problem(status: 409, slug: "file-attached", title: "File already attached",
                              detail: "File \(file.id) already belongs to \(file.ownerType?.rawValue ?? "another object") \(owner); a file belongs to one object only.",
                              errors: [FieldError("attachments[\(i)].file_id", "is already attached")])
            }
        }
        try Problem.check(errors)
        for (position, attachment) in attachments.enumerated() {
            try db.cachedStatement(sql: """
                UPDATE files SET owner_type = 'response', owner_id = ?, title = ?, moderation = 'withheld', attachment_position = ?,
                                 unattached_since = NULL
                WHERE id = ?
                """).execute(arguments: [response, attachment.title, position, attachment.fileId])
        }
        return attachments.map(\.fileId)
    }

    /// `RUD-2026-000123`: the municipality's receipt prefix (unique, see `ReceiptPrefix`), the year in its
    /// time zone, a counter per prefix and year. `stamp` is `now` as stored (UTC).
    static func nextReceiptNumber(_ db: Database, municipality: String, at now: Date, stamp: String) throws -> String {
        let prefix = try String.fetchOne(db.cachedStatement(sql: "SELECT receipt_prefix FROM municipalities WHERE id = ?"),
                                         arguments: [municipality]) ?? "MVK"
        // The year in the municipality's time zone. Zones are less than a day from UTC, so it can differ from
        // the UTC year only on 31 December and 1 January (UTC); only then is the zone looked up.
        var year = stamp.prefix(4)
        let monthDay = stamp.dropFirst(5).prefix(5)
        if monthDay == "12-31" || monthDay == "01-01" {
            let zone = try liveMunicipality(db, municipality)?.timeZone ?? "UTC"
            year = CalendarDate.today(in: zone, now: now).text.prefix(4)
        }
        let series = "\(prefix)-\(year)"
        let value = try Int.fetchOne(db.cachedStatement(sql: """
            INSERT INTO receipt_counters (series, value) VALUES (?, 1) ON CONFLICT (series) DO UPDATE SET value = value + 1
            RETURNING value
            """), arguments: [series]) ?? 1
        let digits = String(value)
        return series + "-" + String(repeating: "0", count: max(0, 6 - digits.count)) + digits
    }

    // MARK: Moderation and withdrawal

    /// Applies `moderation` (see `ModerationRules`) and records it; 404 when there is no such response.
    public func moderateResponse(_ id: String, _ moderation: Moderation, actor: WriteActor) async throws -> HearingResponse {
        let now = clock.now()
        return try await pool.write { db in
            guard let stored = try Self.fetchResponse(db, where: "id", id),
                  let consultation = try Self.liveConsultation(db, stored.consultationId, counted: false)
            else { throw Problem.notFound("response", id) }
            let response = try ModerationRules.apply(moderation, to: stored, consultation: consultation)
            let moderated = response.status != stored.status || response.withheldReason != stored.withheldReason
                || response.redactions != stored.redactions
            var changes: [Change] = []
            if moderated || moderation.analysis == .keep {
                try db.cachedStatement(sql: "UPDATE responses SET status = ?, withheld_reason = ?, redactions = ?, updated_at = ?, moderation_note = NULL WHERE id = ?")
                    .execute(arguments: [response.status.rawValue, response.withheldReason, JSONColumn.encode(response.redactions),
                                         Timestamps.format(now), id])
                let event: String? = switch (stored.status, response.status) {
                case (let before, .published) where before != .published: "response.published"
                case (let before, .withheld) where before != .withheld: "response.withheld"
                default: nil
                }
                changes.append(Change.updated(.response, id).cascading().named(event))
            }
            if moderation.analysis != .keep {
                try Self.saveAnalysis(db, response: stored, moderation.analysis, now: now)
                // The analysis is private: an event for the admins' feed only.
                if !moderated { changes.append(.updatedPrivately(.response, id)) }
            }
            if (stored.status == .published) != (response.status == .published) { changes.append(.updated(.consultation, consultation.id)) }
            try Self.recordWrite(db, actor: actor, municipality: response.municipalityId, changes, now: now)
            return try Self.fetchResponse(db, where: "id", id)!
        }
    }

    /// The submitting token withdraws its response before the deadline; it stays on record, never published.
    public func withdrawResponse(receipt: String, token: TokenInfo, actor: WriteActor) async throws -> HearingResponse {
        let now = clock.now()
        return try await pool.write { db in
            guard let response = try Self.fetchResponse(db, where: "receipt_number", receipt), response.tokenId == token.id,
                  let consultation = try Self.liveConsultation(db, response.consultationId, counted: false)
            else { throw Problem.notFound("receipt", receipt) }
            if response.status == .withdrawn { return response }
            try ModerationRules.checkWithdrawal(consultation, now: now)
            try db.cachedStatement(sql: "UPDATE responses SET status = 'withdrawn', updated_at = ? WHERE id = ?").execute(
                           arguments: [Timestamps.format(now), response.id])
            // Its attachments are withdrawn with it: detached, so their uploader may delete them and the purge
            // removes them after a day (the receipt's hash still records what was attached).
            let files = try String.fetchAll(db.cachedStatement(sql: "SELECT id FROM files WHERE owner_type = 'response' AND owner_id = ?"),
                                            arguments: [response.id])
            try db.cachedStatement(sql: """
                UPDATE files SET owner_type = NULL, owner_id = NULL, title = NULL, moderation = NULL, moderation_reason = NULL,
                                 personal_data_checked = 0, replacement_file_id = NULL, replaces_file_id = NULL, attachment_position = NULL,
                                 unattached_since = ?
                WHERE owner_type = 'response' AND owner_id = ?
                """).execute(arguments: [Timestamps.format(now), response.id])
            try Self.recordWrite(db, actor: actor, municipality: response.municipalityId,
                                 [Change.updated(.response, response.id).named("response.withdrawn"), .updated(.consultation, consultation.id)]
                                    + files.map { .updated(.file, $0) },
                                 now: now)
            return try Self.fetchResponse(db, where: "id", response.id)!
        }
    }
}
