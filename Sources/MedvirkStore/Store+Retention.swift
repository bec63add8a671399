import Foundation
import GRDB
import MedvirkCore

/// When a consultation's respondents' personal data is erased.
public struct RetentionEntry: Sendable, Equatable {
    public enum CountedFrom: String, Sendable { case conclusion, withdrawal, deadline }

    public var consultationId: String
    public var municipalityId: String
    public var title: String
    public var retentionDays: Int
    public var countedFrom: CountedFrom
    public var dueAt: Date
    public var erasedAt: Date?
    public var responses: Int
}

extension Store {
    /// Who the audit log names for the erasures.
    static let retention = WriteActor(tokenId: "medvirk:retention", tokenName: "Retention of personal data",
                                      method: "DELETE", path: "", requestId: "")

    static let retentionQuery = """
        SELECT c.seq, c.id, c.municipality_id, c.title, c.status, c.concluded_at, c.withdrawn_at, c.closes_at, c.personal_data_erased_at,
               coalesce(c.personal_data_retention_days, m.personal_data_retention_days, 365) AS days,
               (SELECT count(*) FROM responses r WHERE r.consultation_id = c.id) AS responses
        FROM consultations c JOIN municipalities m ON m.id = c.municipality_id
        WHERE c.deleted_at IS NULL AND c.status != 'draft' AND (?1 IS NULL OR c.municipality_id = ?1)
          AND (?2 IS NULL OR (?2 = 'pending') = (c.personal_data_erased_at IS NULL)) AND c.seq > ?3
        ORDER BY c.seq LIMIT ?4
        """

    /// Counted from the conclusion, the withdrawal or, if the consultation was never concluded, its deadline.
    static func retentionEntry(_ row: Row) -> RetentionEntry {
        let days: Int = row["days"]
        let (from, start): (RetentionEntry.CountedFrom, String) = if let concluded = row["concluded_at"] as String?, row["status"] == "concluded" {
            (.conclusion, concluded)
        } else if let withdrawn = row["withdrawn_at"] as String? {
            (.withdrawal, withdrawn)
        } else {
            (.deadline, row["closes_at"])
        }
        return RetentionEntry(consultationId: row["id"], municipalityId: row["municipality_id"], title: row["title"], retentionDays: days,
                              countedFrom: from, dueAt: Timestamps.parse(start) + TimeInterval(days) * 86_400,
                              erasedAt: (row["personal_data_erased_at"] as String?).map(Timestamps.parse), responses: row["responses"])
    }

    /// A municipality's consultations (drafts never fall due) with their erasure dates, oldest consultation first.
    public func retention(municipality: String, erased: Bool?, _ page: PageRequest) async throws -> Page<RetentionEntry> {
        try await pool.read { db in
            let rows = try Row.fetchAll(db.cachedStatement(sql: Self.retentionQuery), arguments: [
                municipality, erased.map { $0 ? "erased" : "pending" }, page.after?.after ?? 0, page.limit + 1])
            return self.page(rows, limit: page.limit, map: Self.retentionEntry)
        }
    }

    static func pendingRetention(_ db: Database) throws -> [RetentionEntry] {
        try Row.fetchAll(db.cachedStatement(sql: retentionQuery), arguments: [nil, "pending", 0, Int.max]).map(retentionEntry)
    }

    /// When the next consultation's personal data falls due.
    func nextRetentionDue(after now: Date) async throws -> Date? {
        try await pool.read { db in try Self.pendingRetention(db).map(\.dueAt).min() }.map { max($0, now + 1) }
    }

    /// Erases what is due at `now`, one consultation per transaction: respondents' e-mail, address and (where
    /// `publish_name` was false) name, the answers stored whole in their submissions' idempotency records, and
    /// the attachments that were never published; the text, receipt, hash and analysis stay. The consultation
    /// takes no responses afterwards (`SubmissionRules`). Audited, in the admins' feed. Safe to
    /// run twice: an erased consultation is no longer pending.
    func erasePersonalData(now: Date) async throws {
        let due = try await pool.read { db in try Self.pendingRetention(db).filter { $0.dueAt <= now } }
        for entry in due {
            let freed = try await pool.write { db -> [Int64] in
                let stamp = Timestamps.format(now)
                let ids = try String.fetchAll(db.cachedStatement(sql: "SELECT id FROM responses WHERE consultation_id = ? ORDER BY seq"),
                                              arguments: [entry.consultationId])
                try db.cachedStatement(sql: """
                    UPDATE responses SET
                        respondent = CASE WHEN json_extract(respondent, '$.publish_name') THEN json_remove(respondent, '$.email', '$.address')
                                          ELSE json_remove(respondent, '$.email', '$.address', '$.name') END,
                        personal_data_erased_at = ?2, updated_at = ?2
                    WHERE consultation_id = ?1
                    """).execute(arguments: [entry.consultationId, stamp])
                // The keys stay, so a retry is still answered with its (now erased) response rather than stored twice;
                // an answer stored whole before migration 0006 goes.
                try db.cachedStatement(sql: """
                    UPDATE idempotency_keys SET answer = NULL WHERE response_id IN (SELECT id FROM responses WHERE consultation_id = ?)
                    """).execute(arguments: [entry.consultationId])
                let files = try Row.fetchAll(db.cachedStatement(sql: """
                    SELECT f.id, f.content_id FROM files f JOIN responses r ON r.id = f.owner_id
                    WHERE f.owner_type = 'response' AND r.consultation_id = ?
                      AND NOT ((f.moderation = 'published' AND f.replacement_file_id IS NULL)
                               OR EXISTS (SELECT 1 FROM files o WHERE o.replacement_file_id = f.id AND o.moderation = 'published'))
                    """), arguments: [entry.consultationId])
                // A withheld original's redacted copy goes with it; the links between them go first.
                for row in files {
                    try db.cachedStatement(sql: "UPDATE files SET replacement_file_id = NULL WHERE replacement_file_id = ?").execute(arguments: [row[0] as String])
                    try db.cachedStatement(sql: "UPDATE files SET replaces_file_id = NULL WHERE replaces_file_id = ?").execute(arguments: [row[0] as String])
                }
                for row in files { try db.cachedStatement(sql: "DELETE FROM files WHERE id = ?").execute(arguments: [row[0] as String]) }
                try db.cachedStatement(sql: "UPDATE consultations SET personal_data_erased_at = ? WHERE id = ?").execute(arguments: [stamp, entry.consultationId])
                var actor = Self.retention
                actor.path = "/v1/consultations/\(entry.consultationId)/responses"
                try Self.recordWrite(db, actor: actor, municipality: entry.municipalityId,
                                     [.updatedPrivately(.consultation, entry.consultationId)] + ids.map { .updatedPrivately(.response, $0) }
                                        + files.map { .deleted(.file, $0[0]) }, now: now)
                return files.map { $0[1] }
            }
            for content in Set(freed) { try await deleteContent(content, onlyIfUnfinished: false) }
        }
    }
}
