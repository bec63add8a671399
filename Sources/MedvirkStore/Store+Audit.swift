import Foundation
import GRDB
import MedvirkCore

public struct AuditEntry: Sendable {
    public var seq: Int64
    public var at: Date
    public var tokenId: String
    public var tokenName: String
    public var method: String
    public var path: String
    public var resourceId: String?
    public var municipalityId: String?
    public var requestId: String
}

extension Store {
    /// Newest first. `municipalities` (when not nil) limits the entries to those municipalities.
    public func audit(municipality: String?, within municipalities: [String]?, _ page: PageRequest) async throws -> Page<AuditEntry> {
        try await pool.read { db in
            var sql = "SELECT * FROM audit_log WHERE seq < ?1 AND (?3 IS NULL OR municipality_id = ?3)"
            var arguments: [(any DatabaseValueConvertible)?] = [page.after?.after ?? Int64.max, page.limit + 1, municipality]
            if let municipalities {
                sql += " AND municipality_id IN (SELECT value FROM json_each(?4))"
                arguments.append(JSONColumn.encode(municipalities))
            }
            let rows = try Row.fetchAll(db, sql: sql + " ORDER BY seq DESC LIMIT ?2", arguments: StatementArguments(arguments))
            return self.page(rows, limit: page.limit) { row in
                AuditEntry(seq: row["seq"], at: Timestamps.parse(row["at"]), tokenId: row["token_id"], tokenName: row["token_name"],
                           method: row["method"], path: row["path"], resourceId: row["resource_id"],
                           municipalityId: row["municipality_id"], requestId: row["request_id"])
            }
        }
    }
}
