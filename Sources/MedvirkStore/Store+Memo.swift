import Foundation
import GRDB
import MedvirkCore

/// A memo rendered in every format, as a published version stores it.
public struct RenderedMemo: Sendable {
    public var json: Data
    public var markdown: Data
    public var html: Data
    public var csv: Data

    public init(json: Data, markdown: Data, html: Data, csv: Data) {
        (self.json, self.markdown, self.html, self.csv) = (json, markdown, html, csv)
    }
}

public enum MemoFormat: String, Sendable, CaseIterable { case json, markdown, html, csv }

/// What a memo is built from, read in one transaction.
public struct MemoInputs: Sendable {
    public var consultation: Consultation
    public var municipality: Municipality
    public var parties: [Party]
    /// Every response, in any state.
    public var responses: [HearingResponse]
    public var themes: [Theme]

    public func memo(version: Int?, now: Date) -> HearingMemo {
        HearingMemo.build(consultation: consultation, municipality: municipality, parties: parties, responses: responses,
                          themes: themes, version: version, now: now)
    }
}

extension Store {
    static func memoInputs(_ db: Database, _ id: String) throws -> MemoInputs? {
        guard let consultation = try liveConsultation(db, id), let municipality = try liveMunicipality(db, consultation.draft.municipalityId)
        else { return nil }
        let parties = try Row.fetchAll(db.cachedStatement(sql: """
            SELECT \(partyColumns) FROM parties p WHERE p.consultation_id = ? AND p.deleted_at IS NULL ORDER BY p.seq
            """), arguments: [id]).map(party)
        let responses = try Row.fetchAll(db.cachedStatement(sql: "SELECT \(responseColumns) FROM responses r WHERE r.consultation_id = ? ORDER BY r.seq"),
                                         arguments: [id]).map(response)
        return MemoInputs(consultation: consultation, municipality: municipality, parties: parties, responses: responses,
                          themes: try themes(db, consultation: id))
    }

    /// Everything the memo and the statistics of a consultation are built from; nil when it does not exist.
    public func memoInputs(_ id: String) async throws -> MemoInputs? {
        try await pool.read { db in try Self.memoInputs(db, id) }
    }

    /// The responses of a consultation that `reader` may read (see `Readable`), in any state, for statistics.
    public func readableResponses(consultation: String, reader: Reader) async throws -> [HearingResponse] {
        let now = Timestamps.format(clock.now())
        return try await pool.read { db in
            try Row.fetchAll(db.cachedStatement(sql: """
                SELECT \(Self.responseColumns) FROM responses r WHERE r.consultation_id = ?1
                  AND \(Readable.condition(.response, "r", reader: "?2", now: "?3")) ORDER BY r.seq
                """), arguments: [consultation, reader.argument, now]).map(Self.response)
        }
    }

    static func memoVersionInfo(_ row: Row) -> MemoVersionInfo {
        MemoVersionInfo(version: row["version"], publishedAt: Timestamps.parse(row["published_at"]),
                        retractedAt: (row["retracted_at"] as String?).map(Timestamps.parse), retractionReason: row["retraction_reason"])
    }

    /// Every published version, newest first.
    public func memoVersions(consultation: String) async throws -> [MemoVersionInfo] {
        try await pool.read { db in
            try Row.fetchAll(db.cachedStatement(sql: """
                SELECT version, published_at, retracted_at, retraction_reason FROM memo_versions WHERE consultation_id = ? ORDER BY version DESC
                """), arguments: [consultation]).map(Self.memoVersionInfo)
        }
    }

    /// A stored version in `format`: `version` nil is the latest that is not retracted (or, when every
    /// version is retracted, the latest). Nil when there is none.
    public func memoVersion(consultation: String, version: Int?, format: MemoFormat) async throws -> (info: MemoVersionInfo, body: Data)? {
        try await pool.read { db in
            let row = try Row.fetchOne(db, sql: """
                SELECT version, published_at, retracted_at, retraction_reason, \(format.rawValue) AS body FROM memo_versions
                WHERE consultation_id = ?1 AND (?2 IS NULL OR version = ?2)
                ORDER BY retracted_at IS NULL DESC, version DESC LIMIT 1
                """, arguments: [consultation, version])
            return row.map { (Self.memoVersionInfo($0), $0["body"]) }
        }
    }

    /// Freezes the memo as the next version (after the deadline of a published or concluded consultation):
    /// 409 otherwise, 422 `analysis-missing` listing every received or published response with comments and
    /// no analysis. `render` turns the memo into its stored formats inside the transaction.
    public func publishMemo(consultation id: String, actor: WriteActor,
                            render: @escaping @Sendable (HearingMemo) throws -> RenderedMemo) async throws -> MemoVersionInfo {
        let now = clock.now()
        return try await pool.write { db in
            guard let inputs = try Self.memoInputs(db, id) else { throw Problem.notFound("consultation", id) }
            let c = inputs.consultation
            guard c.draft.status == .published || c.draft.status == .concluded else {
                throw Problem.conflict("consultation-not-published", "Only a published or concluded consultation has a hearing memo; this one is \(c.draft.status.rawValue).")
            }
            guard now >= c.draft.closesAt else {
                throw Problem.conflict("consultation-still-open", "The memo can be published only after the deadline; preview it with ?draft=true.")
            }
            let missing = HearingMemo.unanalysed(inputs.responses)
            if !missing.isEmpty {
                throw Problem(status: 422, slug: "analysis-missing", title: "Responses without analysis",
                              detail: "\(missing.count) responses with comments have no analysis yet; PATCH /v1/responses/{id} with analysis first.",
                              errors: missing.prefix(200).map { FieldError("responses[\($0.receiptNumber)]", "response \($0.id) has no analysis") })
            }
            let version = (try Int.fetchOne(db.cachedStatement(sql: "SELECT max(version) FROM memo_versions WHERE consultation_id = ?"),
                                            arguments: [id]) ?? 0) + 1
            let rendered = try render(inputs.memo(version: version, now: now))
            let memoId = "\(id)-memo-\(version)"
            try db.cachedStatement(sql: """
                INSERT INTO memo_versions (id, consultation_id, version, published_at, published_by, json, markdown, html, csv)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [memoId, id, version, Timestamps.format(now), actor.tokenId, rendered.json, rendered.markdown,
                                         rendered.html, rendered.csv])
            try Self.recordWrite(db, actor: actor, municipality: c.draft.municipalityId,
                                 [.created(.memo, memoId), .updated(.consultation, id)], now: now)
            return MemoVersionInfo(version: version, publishedAt: Timestamps.parse(Timestamps.format(now)))
        }
    }

    /// Takes a published version out of public view; it answers 410 with `reason` from then on. 404 when there
    /// is no such version, 409 when it is retracted already.
    public func retractMemo(consultation id: String, version: Int, reason: String, actor: WriteActor) async throws -> MemoVersionInfo {
        try Problem.check(Rules.text("reason", reason, max: 2000) + NationalIdScreening.check([("reason", reason)]))
        let now = clock.now()
        return try await pool.write { db in
            guard let consultation = try Self.liveConsultation(db, id, counted: false) else { throw Problem.notFound("consultation", id) }
            let memoId = "\(id)-memo-\(version)"
            guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT version, published_at, retracted_at, retraction_reason FROM memo_versions WHERE id = ?"),
                                             arguments: [memoId]) else { throw Problem.notFound("memo version", String(version)) }
            if row["retracted_at"] as String? != nil {
                throw Problem.conflict("memo-retracted", "Version \(version) is retracted already.")
            }
            try db.cachedStatement(sql: "UPDATE memo_versions SET retracted_at = ?, retraction_reason = ? WHERE id = ?")
                .execute(arguments: [Timestamps.format(now), reason, memoId])
            try Self.recordWrite(db, actor: actor, municipality: consultation.draft.municipalityId,
                                 [Change.updated(.memo, memoId).named("memo.retracted"), .updated(.consultation, id)], now: now)
            var info = Self.memoVersionInfo(row)
            (info.retractedAt, info.retractionReason) = (Timestamps.parse(Timestamps.format(now)), reason)
            return info
        }
    }
}
