import GRDB
import Synchronization

/// Commits writes that arrive together in one durable transaction: one fsync for the whole batch instead
/// of one each. Every write runs in its own savepoint, so one that fails is rolled back alone and its
/// neighbours still commit; each caller resumes only after the transaction holding its write committed.
///
/// There is no background task. The write that finds no commit under way hands a batch to GRDB's writer
/// queue; when that commit completes, its completion hands over the writes that arrived meanwhile before it
/// answers the batch, so the writer goes from commit to commit without waiting for a task to be scheduled.
/// Every write is awaited by its caller (a request, which graceful shutdown waits for), and a commit, once
/// handed over, is not cancelled with any one of them: the others depend on it.
final class GroupCommitter: Sendable {
    typealias Work = @Sendable (Database) throws -> any Sendable
    typealias Outcome = Result<any Sendable, any Error>

    private struct Job {
        let work: Work
        let continuation: CheckedContinuation<Outcome, Never>
    }

    private struct Queue {
        var jobs: [Job] = []
        /// A batch is with the writer; new writes wait for the next.
        var committing = false
    }

    private let writer: DatabasePool
    private let queue = Mutex(Queue())
    private let maxBatch: Int
    /// Called with the size of every committed batch (for metrics).
    let onBatch = Mutex(BatchObserver())

    /// Wraps the callback: a bare function type in a `Mutex` is reabstracted on every `withLock`, which wraps
    /// it in two more thunks each time, so calling it got slower with every batch (and would overflow the stack).
    struct BatchObserver: Sendable {
        var report: (@Sendable (Int) -> Void)?
    }

    init(writer: DatabasePool, maxBatch: Int = 256) {
        self.writer = writer
        self.maxBatch = maxBatch
    }

    func write<T: Sendable>(_ work: @escaping @Sendable (Database) throws -> T) async throws -> T {
        let outcome = await withCheckedContinuation { continuation in
            let batch = queue.withLock { queue -> [Job]? in
                queue.jobs.append(Job(work: { db in try work(db) }, continuation: continuation))
                guard !queue.committing else { return nil }
                queue.committing = true
                return Self.take(&queue, maxBatch)
            }
            if let batch { commit(batch) }
        }
        return try outcome.get() as! T
    }

    /// The next batch, oldest first; when there is none, no commit is under way any more.
    private static func take(_ queue: inout Queue, _ maxBatch: Int) -> [Job]? {
        let taken = Array(queue.jobs.prefix(maxBatch))
        queue.jobs.removeFirst(taken.count)
        if taken.isEmpty { queue.committing = false }
        return taken.isEmpty ? nil : taken
    }

    /// Runs the batch in one transaction, each write in its savepoint, on the writer's queue. GRDB's callback
    /// form is used because it does not watch for task cancellation.
    private func commit(_ batch: [Job]) {
        let works = batch.map(\.work)
        writer.asyncWrite({ db -> [Outcome] in
            works.map { work in
                var result: Outcome = .failure(CancellationError())
                do {
                    try db.inSavepoint {
                        result = .success(try work(db))
                        return .commit
                    }
                } catch {
                    result = .failure(error)
                }
                return result
            }
        }, completion: { [self] _, outcome in
            // The next batch goes to the writer first; then this one is answered.
            if let next = queue.withLock({ Self.take(&$0, maxBatch) }) { commit(next) }
            switch outcome {
            case .success(let results):
                onBatch.withLock { $0 }.report?(batch.count)
                for (job, result) in zip(batch, results) { job.continuation.resume(returning: result) }
            case .failure(let error):
                // The commit itself failed: nothing in the batch is stored.
                for job in batch { job.continuation.resume(returning: .failure(error)) }
            }
        })
    }
}
