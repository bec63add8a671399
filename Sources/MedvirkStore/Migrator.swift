import Crypto
import Foundation
import GRDB
import MedvirkCore

/// One `Migrations/NNNN_description.sql` file.
public struct MigrationFile: Sendable, Equatable {
    public var version: Int
    public var name: String
    public var sql: String
    public var checksum: String

    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
        self.checksum = Hex.string(SHA256.hash(data: Data(sql.utf8)))
    }
}

public struct MigrationStatus: Sendable {
    public var applied: [(version: Int, name: String, appliedAt: String)]
    public var pending: [MigrationFile]
}

public struct MigrationError: Error, CustomStringConvertible, Sendable {
    public var description: String
}

/// Applies plain-SQL migrations in order, each in its own transaction, recorded with a checksum.
/// Refuses to run when an applied migration was edited or is unknown to this binary.
public struct Migrator: Sendable {
    public var files: [MigrationFile]

    public init(files: [MigrationFile]) { self.files = files.sorted { $0.version < $1.version } }

    /// Reads `NNNN_description.sql` files from a directory.
    public static func load(directory: URL) throws -> Migrator {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        } catch {
            throw MigrationError(description: "cannot read migrations directory \(directory.path): \(error.localizedDescription)")
        }
        var files: [MigrationFile] = []
        for name in names.sorted() where name.hasSuffix(".sql") {
            guard let underscore = name.firstIndex(of: "_"), let version = Int(name[..<underscore]) else {
                throw MigrationError(description: "migration file \(name) is not named NNNN_description.sql")
            }
            let sql = try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
            if files.contains(where: { $0.version == version }) {
                throw MigrationError(description: "two migration files share version \(version): \(name)")
            }
            files.append(MigrationFile(version: version, name: name, sql: sql))
        }
        if files.isEmpty { throw MigrationError(description: "no migrations found in \(directory.path)") }
        return Migrator(files: files)
    }

    static let ledger = """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            version INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            checksum TEXT NOT NULL,
            applied_at TEXT NOT NULL
        ) STRICT
        """

    /// Lists applied and pending migrations after checking the applied ones against the files.
    /// Read-only, so readiness probes never write; a database without the ledger has everything pending.
    public func status(_ reader: some DatabaseReader) throws -> MigrationStatus {
        try status(applied: try reader.read(Self.ledgerRecords))
    }

    /// One row of the ledger.
    struct LedgerRecord: Sendable {
        var version: Int, name: String, checksum: String, appliedAt: String
    }

    static func ledgerRecords(_ db: Database) throws -> [LedgerRecord] {
        guard try db.tableExists("schema_migrations") else { return [] }
        return try Row.fetchAll(db, sql: "SELECT version, name, checksum, applied_at FROM schema_migrations ORDER BY version").map {
            // Shown as the API shows times: whole seconds, `YYYY-MM-DDThh:mm:ssZ`.
            LedgerRecord(version: $0["version"], name: $0["name"], checksum: $0["checksum"],
                         appliedAt: UTCTimestamp.secondsText(Timestamps.parse($0["applied_at"])))
        }
    }

    func status(applied records: [LedgerRecord]) throws -> MigrationStatus {
        var applied: [(Int, String, String)] = []
        for record in records {
            let (version, name, checksum) = (record.version, record.name, record.checksum)
            guard let file = files.first(where: { $0.version == version }) else {
                throw MigrationError(description: "the database has migration \(name), which this binary does not know; refusing to start (is this an older binary?)")
            }
            guard file.checksum == checksum, file.name == name else {
                throw MigrationError(description: "migration file Migrations/\(file.name) was changed after it was applied as \(name); refusing to start. Restore the file and add a new migration instead.")
            }
            applied.append((version, name, record.appliedAt))
        }
        let done = Set(applied.map(\.0))
        return MigrationStatus(applied: applied, pending: files.filter { !done.contains($0.version) })
    }

    /// Applies pending migrations, recording `now` (the store's clock) as each one's applied_at; returns the names applied.
    @discardableResult
    public func migrate(_ writer: some DatabaseWriter, now: Date = SystemClock().now()) throws -> [String] {
        try writer.write { db in try db.execute(sql: Self.ledger) }
        let pending = try status(writer).pending
        for file in pending {
            try writer.write { db in
                try db.execute(sql: file.sql)
                try db.execute(
                    sql: "INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (?, ?, ?, ?)",
                    arguments: [file.version, file.name, file.checksum, Timestamps.format(now)])
            }
        }
        return pending.map(\.name)
    }
}
