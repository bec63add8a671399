import GRDB
import Synchronization

/// Commits writes that arrive together in one durable transaction: one fsync for the whole batch instead
/// of one each. Every write runs in its own savepoint, so one that fails is rolled back alone and its
/// neighbours still commit; each caller resumes only after the transaction holding its write committed.
final class GroupCommitter: Sendable {
    typealias Work = @Sendable (Database) throws -> any Sendable

    private struct Job {
        let work: Work
        let continuation: CheckedContinuation<any Sendable, any Error>
    }

    private struct Queue {
        var jobs: [Job] = []
        var draining = false
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
        let result = try await withCheckedThrowingContinuation { continuation in
            let startDrain = queue.withLock { queue -> Bool in
                queue.jobs.append(Job(work: { db in try work(db) }, continuation: continuation))
                guard !queue.draining else { return false }
                queue.draining = true
                return true
            }
            if startDrain { Task { await self.drain() } }
        }
        return result as! T
    }

    /// Runs batches until the queue is empty; whatever arrived during a commit forms the next batch.
    private func drain() async {
        while true {
            let batch = queue.withLock { queue -> [Job] in
                let taken = Array(queue.jobs.prefix(maxBatch))
                queue.jobs.removeFirst(taken.count)
                if taken.isEmpty { queue.draining = false }
                return taken
            }
            guard !batch.isEmpty else { return }
            await commit(batch)
        }
    }

    private func commit(_ batch: [Job]) async {
        let works = batch.map(\.work)
        do {
            let results = try await writer.write { db -> [Result<any Sendable, any Error>] in
                works.map { work in
                    var result: Result<any Sendable, any Error> = .failure(CancellationError())
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
            }
            onBatch.withLock { $0 }.report?(batch.count)
            for (job, result) in zip(batch, results) { job.continuation.resume(with: result) }
        } catch {
            // The commit itself failed: nothing in the batch is stored.
            for job in batch { job.continuation.resume(throwing: error) }
        }
    }
}
