import Foundation
import GRDB
import MedvirkCore

/// Page-by-page reads of a whole municipality, for exports whose memory must not grow with their size.
extension Store {
    public func members(municipality: String, _ page: PageRequest) async throws -> Page<Member> {
        try await pool.read { db in
            let records = try MemberRecord.fetchAll(db, sql: """
                SELECT m.* FROM members m JOIN councils c ON c.id = m.council_id
                WHERE c.municipality_id = ?3 AND m.deleted_at IS NULL AND c.deleted_at IS NULL AND m.seq > ?1
                ORDER BY m.seq LIMIT ?2
                """, arguments: [page.after?.after ?? 0, page.limit + 1, municipality])
            return self.page(records, limit: page.limit, map: \.member)
        }
    }

    public func parties(municipality: String, _ page: PageRequest) async throws -> Page<Party> {
        try await pool.read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT \(Self.partyColumns) FROM parties p JOIN consultations c ON c.id = p.consultation_id
                WHERE c.municipality_id = ?3 AND p.deleted_at IS NULL AND c.deleted_at IS NULL AND p.seq > ?1
                ORDER BY p.seq LIMIT ?2
                """, arguments: [page.after?.after ?? 0, page.limit + 1, municipality])
            return self.page(rows, limit: page.limit, map: Self.party)
        }
    }

    public func themes(municipality: String, _ page: PageRequest) async throws -> Page<Theme> {
        try await pool.read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT t.* FROM themes t JOIN consultations c ON c.id = t.consultation_id
                WHERE c.municipality_id = ?3 AND c.deleted_at IS NULL AND t.seq > ?1 ORDER BY t.seq LIMIT ?2
                """, arguments: [page.after?.after ?? 0, page.limit + 1, municipality])
            return self.page(rows, limit: page.limit, map: Self.theme)
        }
    }

    /// Published memo versions with their consultation (the rendered formats stay in the database and at each `href`).
    public func memoVersions(municipality: String, _ page: PageRequest) async throws -> Page<(consultation: String, info: MemoVersionInfo)> {
        try await pool.read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT v.seq, v.consultation_id, v.version, v.published_at, v.retracted_at, v.retraction_reason
                FROM memo_versions v JOIN consultations c ON c.id = v.consultation_id
                WHERE c.municipality_id = ?3 AND c.deleted_at IS NULL AND v.seq > ?1 ORDER BY v.seq LIMIT ?2
                """, arguments: [page.after?.after ?? 0, page.limit + 1, municipality])
            return self.page(rows, limit: page.limit) { ($0["consultation_id"], Self.memoVersionInfo($0)) }
        }
    }

    public func responses(municipality: String, _ page: PageRequest) async throws -> Page<HearingResponse> {
        try await pool.read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT \(Self.responseColumns) FROM responses r WHERE r.municipality_id = ?3 AND r.seq > ?1 ORDER BY r.seq LIMIT ?2
                """, arguments: [page.after?.after ?? 0, page.limit + 1, municipality])
            return try self.page(rows, limit: page.limit, map: Self.response)
        }
    }
}
