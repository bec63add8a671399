import Foundation
import GRDB
import MedvirkCore

/// The one owner of the SQLite database. Handlers call its methods; nothing else runs SQL.
public struct Store: Sendable {
    let pool: DatabasePool
    public let path: String
    public let migrator: Migrator
    /// The time consultations open and close by; tests set it.
    public let clock: any WallClock
    /// The write generations, kept current in memory for the response cache.
    public let generations: WriteGenerations
    /// Hearing responses arrive in bursts before deadlines; they share commits.
    let submissions: GroupCommitter
    /// A read-only connection of its own for token lookups, which every authenticated request makes: read on
    /// the caller's thread, it costs microseconds instead of a hop to a reader queue and back. (Blocking on
    /// the pool's readers instead can deadlock: they may wait for the very threads that wait for them.)
    let tokenReader: DatabaseQueue
    /// Live tokens read by `authenticate`, shared by every copy of this store.
    let tokenCache: TokenCache
    /// Uploads under way in this process (the file purge leaves them alone).
    let uploads = UploadsInProgress()
    /// Seconds before a deadline that the feed announces `consultation.closing_soon` (`--closing-soon-lead`).
    public var closingSoonLead: TimeInterval = Store.defaultClosingSoonLead

    /// Opens (creating if needed) the database and applies pending migrations.
    public static func open(path: String, migrations: Migrator, migrate: Bool = true, clock: any WallClock = SystemClock()) throws -> Store {
        let pool = try DatabasePool(path: path, configuration: configuration())
        // Acknowledged writes must survive power loss. Opening a pool switches its writer to WAL and then to
        // synchronous=NORMAL, overriding what `prepareDatabase` set, so FULL is set again on the writer here.
        try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        if migrate {
            try migrations.migrate(pool, now: clock.now())
            try pool.write { db in try backfillChanges(db, now: clock.now()) }
            try pool.write { db in try rescreenResponses(db, now: clock.now()) }
            let report = try pool.write { db in try normaliseStoredText(db, now: clock.now()) }
            try pool.write { db in try assignReceiptPrefixes(db, now: clock.now()) }
            for line in report.renamed {
                FileHandle.standardError.write(Data("medvirk: service area names equal once in Unicode NFC were told apart: \(line)\n".utf8))
            }
        }
        let generations = WriteGenerations()
        try pool.read { db in
            if try db.tableExists("generations") { try generations.load(db) }
        }
        var readOnly = Configuration()
        readOnly.readonly = true
        readOnly.busyMode = .timeout(10)
        let store = Store(pool: pool, path: path, migrator: migrations, clock: clock, generations: generations,
                          submissions: GroupCommitter(writer: pool), tokenReader: try DatabaseQueue(path: path, configuration: readOnly),
                          tokenCache: TokenCache())
        pool.add(transactionObserver: store.generations, extent: .databaseLifetime)
        return store
    }

    /// True when the file at `path` is an SQLite database with Medvirk's migration ledger; false for an empty
    /// file, another program's database or something that is not SQLite. Opened read-only: nothing is written.
    public static func isMedvirkDatabase(path: String) -> Bool {
        var config = Configuration()
        config.readonly = true
        guard let queue = try? DatabaseQueue(path: path, configuration: config) else { return false }
        defer { try? queue.close() }
        return (try? queue.read { db in try db.tableExists("schema_migrations") }) ?? false
    }

    static func configuration() -> Configuration {
        var config = Configuration()
        config.foreignKeysEnabled = true
        config.busyMode = .timeout(10)
        return config
    }

    /// The writer's `PRAGMA synchronous`: 2 (FULL) means every commit is on disk before it returns.
    public func writerSynchronousMode() throws -> Int {
        try pool.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1 }
    }

    /// Reports the size of every group commit of submissions.
    public func onSubmissionBatch(_ report: @escaping @Sendable (Int) -> Void) {
        submissions.onBatch.withLock { $0.report = report }
    }

    /// Closes every connection; later calls fail.
    public func close() throws {
        try tokenReader.close()
        try pool.close()
    }

    /// True when the database answers and no migration is pending.
    /// Reads asynchronously: a blocking read here would hold a cooperative thread while waiting for a reader.
    public func isReady() async -> (ready: Bool, applied: Int) {
        guard let records = try? await pool.read({ db in try Migrator.ledgerRecords(db) }),
              let status = try? migrator.status(applied: records) else { return (false, 0) }
        return (status.pending.isEmpty, status.applied.count)
    }

    public func migrationStatus() throws -> MigrationStatus { try migrator.status(pool) }

    /// The next moment a public answer can change without a write: a consultation opening or closing
    /// (its phase, its responses after the deadline) or a quarter hour (today's date in any time zone).
    public func nextTimeBoundary(after now: Date) async throws -> Date {
        let quarter = (now.timeIntervalSince1970 / 900).rounded(.down) * 900 + 900
        let text = Timestamps.format(now)
        let next = try await pool.read { db in
            try String.fetchOne(db.cachedStatement(sql: """
                SELECT min(t) FROM (SELECT min(opens_at) AS t FROM consultations WHERE opens_at > ?1
                                    UNION ALL SELECT min(closes_at) FROM consultations WHERE closes_at > ?1)
                """), arguments: [text])
        }
        return min(Date(timeIntervalSince1970: quarter), next.map(Timestamps.parse) ?? .distantFuture)
    }

    /// SQLite online backup into a new file; consistent while the server writes.
    public func backup(to destination: String) throws {
        let target = try DatabaseQueue(path: destination)
        try pool.backup(to: target)
        try target.close()
    }

    // MARK: - Write bookkeeping

    /// Raises the write generations, appends to the change feed and the audit log, inside the caller's
    /// transaction. `now` is the store's clock: it stamps the feed and the audit entry and decides whether
    /// responses are past their publication deadline.
    static func recordWrite(_ db: Database, actor: WriteActor?, municipality: String, _ changes: [Change], now: Date) throws {
        try recordChanges(db, municipality: municipality, changes, now: now)
        // Both scopes in one statement (every write, submissions included, passes here).
        try db.cachedStatement(sql: """
            INSERT INTO generations (scope, value) VALUES ('*', 1), (?, 1)
            ON CONFLICT (scope) DO UPDATE SET value = value + 1
            """).execute(arguments: [municipality])
        try recordAudit(db, actor: actor, resource: changes.first?.id, municipality: municipality, now: now)
    }

    /// Records a write in the audit log (none for the service's own writes). `municipality` nil: one that
    /// spans municipalities (a webhook subscription to all of them).
    static func recordAudit(_ db: Database, actor: WriteActor?, resource: String?, municipality: String?, now: Date) throws {
        guard let actor, !actor.isService else { return }
        try db.cachedStatement(sql: """
            INSERT INTO audit_log (at, token_id, token_name, method, path, resource_id, municipality_id, request_id)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [Timestamps.format(now), actor.tokenId, actor.tokenName, actor.method, actor.path,
                             resource, municipality, actor.requestId])
    }

    /// Fetches `limit + 1` rows to learn whether another page follows.
    func page<T>(_ rows: [Row], limit: Int, map: (Row) throws -> T) rethrows -> Page<T> {
        let items = try rows.prefix(limit).map(map)
        let next = rows.count > limit ? rows.prefix(limit).last.map { Cursor(after: $0["seq"]) } : nil
        return Page(items: items, next: next)
    }
}

/// JSON columns. One encoder and one decoder serve every call (both are safe to share; making one per
/// call was a good part of reading a row).
enum JSONColumn {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()
    static let decoder: JSONDecoder = StoredJSONDecoder()

    static func encode<T: Encodable>(_ value: T) -> String {
        String(decoding: (try? encoder.encode(value)) ?? Data("null".utf8), as: UTF8.self)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String?) throws -> T {
        try decoder.decode(T.self, from: Data((text ?? "null").utf8))
    }

    /// A JSON array column; most hold `[]`, which needs no decoder.
    static func decodeList<T: Decodable>(_ type: T.Type, _ text: String) throws -> [T] {
        text == "[]" ? [] : try decode([T].self, text)
    }
}

/// A stored value the store cannot read back: damaged or written by another program. It is the service's
/// fault, not the client's, so it is answered as a 500 (a `DecodingError` would read as a 422 about the request).
public struct StoredDataError: Error, CustomStringConvertible {
    public let description: String

    public init(description: String) { self.description = description }
}

/// Decodes JSON columns; a failure is a `StoredDataError`, never a `DecodingError`.
final class StoredJSONDecoder: JSONDecoder, @unchecked Sendable {
    override func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        do {
            return try super.decode(type, from: data)
        } catch let error as DecodingError {
            throw StoredDataError(description: "a stored JSON column cannot be read as \(T.self): \(error)")
        }
    }
}
