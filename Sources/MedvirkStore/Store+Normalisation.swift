import Foundation
import GRDB
import MedvirkCore

extension Store {
    /// Tables whose text is not normalised by the one-time pass: responses and their idempotency records keep
    /// the text as submitted (the receipt's SHA-256 is over it); the audit log and change feed hold ids only.
    /// Tables without a rowid (`generations`, `public_resources`) hold ids and counters only.
    static let textKeptAsReceived: Set<String> = ["responses", "idempotency_keys", "audit_log", "changes", "schema_migrations",
                                                  "maintenance_tasks"]

    /// Who the audit log names for what the one-time NFC pass changed.
    static let normalisation = WriteActor(tokenId: "medvirk:nfc", tokenName: "Unicode NFC normalisation of stored text",
                                          method: "PATCH", path: "", requestId: "")

    /// Notes the resource a changed row belongs to (by `Readable`'s table, key and owner), for the change feed.
    static func noteChanged(_ db: Database, table: String, rowid: Int64, into changed: inout [String: Set<Change>]) throws {
        guard let (type, kind) = Readable.kinds.first(where: { $0.value.table == table }) else { return }
        let sql = "SELECT \(kind.key.hasPrefix("x.") ? kind.key : "x." + kind.key), \(kind.owner) FROM \(table) x WHERE x.rowid = ?"
        guard let row = try Row.fetchOne(db, sql: sql, arguments: [rowid]), let id = row[0] as String?, let owner = row[1] as String?
        else { return }
        changed[owner, default: []].insert(.updated(type, id))
    }

    /// The one-time pass that migration 0010 schedules: every stored text value not in NFC is rewritten in NFC
    /// (UAX #15), in one transaction. Service area names that become equal within a municipality (they are
    /// matched by name on import) are reported and told apart with a " (2)", " (3)" suffix. Returns what it
    /// changed, for the start-up log.
    @discardableResult
    static func normaliseStoredText(_ db: Database, now: Date) throws -> NormalisationReport {
        var report = NormalisationReport()
        guard try db.tableExists("maintenance_tasks"),
              try Bool.fetchOne(db, sql: "SELECT done_at IS NULL FROM maintenance_tasks WHERE task = 'nfc-text'") == true
        else { return report }
        let tables = try String.fetchAll(db, sql: """
            SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND sql NOT LIKE '%VIRTUAL TABLE%'
              AND name NOT LIKE '%_fts%' AND sql NOT LIKE '%WITHOUT ROWID%'
            """).filter { !textKeptAsReceived.contains($0) }
        var changed: [String: Set<Change>] = [:]
        let namesBefore = Dictionary(uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT id, name FROM service_areas")
            .map { ($0["id"] as String, $0["name"] as String) })
        for table in tables {
            let columns = try db.columns(in: table).filter { $0.type.uppercased() == "TEXT" }.map(\.name)
            for column in columns {
                // Only values with a byte outside ASCII can change.
                let rows = try Row.fetchAll(db, sql: """
                    SELECT rowid AS row_id, "\(column)" AS value FROM "\(table)" WHERE "\(column)" GLOB '*[^\u{01}-\u{7f}]*'
                    """)
                for row in rows {
                    guard let value = row["value"] as String? else { continue }
                    let normal = value.precomposedStringWithCanonicalMapping
                    guard !normal.utf8.elementsEqual(value.utf8) else { continue }
                    try db.execute(sql: "UPDATE \"\(table)\" SET \"\(column)\" = ? WHERE rowid = ?", arguments: [normal, row["row_id"] as Int64])
                    report.changed += 1
                    try noteChanged(db, table: table, rowid: row["row_id"], into: &changed)
                }
            }
        }
        report.renamed = try separateServiceAreaNamesMadeEqual(db, namesBefore: namesBefore, changed: &changed)
        // A mirror built from the change feed learns of every resource whose text changed.
        for (municipality, changes) in changed.sorted(by: { $0.key < $1.key }) {
            try recordWrite(db, actor: normalisation, municipality: municipality,
                            changes.sorted { ($0.type.rawValue, $0.id) < ($1.type.rawValue, $1.id) }, now: now)
        }
        try db.execute(sql: "UPDATE maintenance_tasks SET done_at = ? WHERE task = 'nfc-text'", arguments: [Timestamps.format(now)])
        return report
    }

    /// Service areas whose names became equal (ignoring case) within a municipality through normalisation get a
    /// suffix; the first of each such group, and names spelt exactly as it was, are left alone.
    static func separateServiceAreaNamesMadeEqual(_ db: Database, namesBefore: [String: String],
                                                  changed: inout [String: Set<Change>]) throws -> [String] {
        let rows = try Row.fetchAll(db, sql: "SELECT id, municipality_id, name FROM service_areas WHERE deleted_at IS NULL ORDER BY seq")
        let groups = Dictionary(grouping: rows) { row in (row["municipality_id"] as String) + "\u{0}" + (row["name"] as String).lowercased() }
        var renamed: [String] = []
        for row in rows {
            let name: String = row["name"]
            let group = groups[(row["municipality_id"] as String) + "\u{0}" + name.lowercased()] ?? []
            // Compared as bytes: Swift's String equality already treats canonically equal spellings as one. A name
            // spelt as the group's first was equal to it before, and is left alone.
            func spelling(_ row: Row) -> [UInt8] { Array((namesBefore[row["id"] as String] ?? "").lowercased().utf8) }
            guard let first = group.first, spelling(row) != spelling(first),
                  let position = group.firstIndex(where: { $0["id"] as String == row["id"] as String })
            else { continue }
            let distinct = "\(name) (\(position + 1))"
            try db.execute(sql: "UPDATE service_areas SET name = ? WHERE id = ?", arguments: [distinct, row["id"] as String])
            changed[row["municipality_id"] as String, default: []].insert(.updated(.serviceArea, row["id"] as String))
            renamed.append("\(row["id"] as String): '\(name)' → '\(distinct)'")
        }
        return renamed
    }
}

/// What the one-time NFC pass changed.
public struct NormalisationReport: Sendable, Equatable {
    /// Text values rewritten.
    public var changed = 0
    /// Service areas renamed because their names became equal, as "id: 'old' → 'new'".
    public var renamed: [String] = []
}
