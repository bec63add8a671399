import GRDB
import Synchronization

/// The write generations in memory, refreshed right after every commit that raised them and before the
/// writer returns, so a cache can tell whether anything changed without asking SQLite.
public final class WriteGenerations: TransactionObserver, Sendable {
    private let values = Mutex<[String: Int64]>([:])
    private let changed = Mutex(false)

    init() {}

    /// The generation of a municipality, or of everything for "*".
    public func current(_ scope: String) -> Int64 {
        values.withLock { $0[scope] ?? 0 }
    }

    func load(_ db: Database) throws {
        let rows = try Row.fetchAll(db, sql: "SELECT scope, value FROM generations")
        values.withLock { values in
            for row in rows { values[row[0]] = row[1] }
        }
    }

    public func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool {
        eventKind.tableName == "generations"
    }

    public func databaseDidChange(with event: DatabaseEvent) {
        changed.withLock { $0 = true }
    }

    public func databaseDidCommit(_ db: Database) {
        guard changed.withLock({ changed in defer { changed = false }; return changed }) else { return }
        try? load(db)
    }

    public func databaseDidRollback(_ db: Database) {
        changed.withLock { $0 = false }
    }
}
