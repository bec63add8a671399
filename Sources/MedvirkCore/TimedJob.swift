import Foundation

/// Work that falls due because time passes (a deadline releasing responses, retention dates, purges), run
/// by the server's one scheduler rather than by a polling loop of its own.
///
/// The scheduler runs every job on each pass, so `run` must be cheap when nothing is due, and it must be
/// safe to run twice for the same moment (another process may have done the work). After a pass it sleeps
/// until the earliest `nextDue` of all jobs, or until a commit changes one of a job's `tables`.
public struct TimedJob: Sendable {
    /// A short name for logs.
    public let name: String
    /// Tables whose writes can move this job's next due time (a changed deadline).
    public let tables: Set<String>
    /// The next moment after `now` at which this job will have work; nil when none is known yet.
    public let nextDue: @Sendable (_ now: Date) async throws -> Date?
    /// Commits whatever is due at `now`.
    public let run: @Sendable (_ now: Date) async throws -> Void

    public init(name: String, tables: Set<String>, nextDue: @escaping @Sendable (Date) async throws -> Date?,
                run: @escaping @Sendable (Date) async throws -> Void) {
        self.name = name
        self.tables = tables
        self.nextDue = nextDue
        self.run = run
    }
}
