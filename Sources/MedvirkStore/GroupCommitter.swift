import GRDB
import Synchronization

/// Commits writes that arrive together in one durable transaction: one fsync for the whole batch instead
/// of one each. Every write runs in its own savepoint, so one that fails is rolled back alone and its
/// neighbours still commit; each caller resumes only after the transaction holding its write committed.
///
/// There is no background task: the caller whose write finds no commit under way leads. It commits the
/// writes waiting then (its own first), hands each its result, and passes the lead to the first write that
/// arrived during the commit. Every commit therefore runs inside some caller's request, which graceful
/// shutdown waits for. A commit, once started, is not cancelled with its leader: the others depend on it.
final class GroupCommitter: Sendable {
    typealias Work = @Sendable (Database) throws -> any Sendable

    /// What a waiting write learns: its result, or that it leads the next commit.
    private enum Turn: Sendable {
        case done(Result<any Sendable, any Error>)
        case lead
    }

    private struct Job {
        let work: Work
        let continuation: CheckedContinuation<Turn, Never>
    }

    private struct Queue {
        var jobs: [Job] = []
        /// A leader is committing; new writes wait for the lead or their result.
        var leading = false
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
        let turn = await withCheckedContinuation { continuation in
            let leads = queue.withLock { queue -> Bool in
                queue.jobs.append(Job(work: { db in try work(db) }, continuation: continuation))
                guard !queue.leading else { return false }
                queue.leading = true
                return true
            }
            if leads { continuation.resume(returning: .lead) }
        }
        let result: Result<any Sendable, any Error>
        switch turn {
        case .done(let outcome): result = outcome
        case .lead: result = await lead()
        }
        return try result.get() as! T
    }

    /// Commits the batch at the head of the queue, whose first write is the leader's own (a leader is only
    /// ever the head: the write that found the queue idle, or the head a leader handed over to). Returns the
    /// leader's result and hands the lead on.
    private func lead() async -> Result<any Sendable, any Error> {
        let batch = queue.withLock { queue -> [Job] in
            let taken = Array(queue.jobs.prefix(maxBatch))
            queue.jobs.removeFirst(taken.count)
            return taken
        }
        let results = await commit(batch)
        for (job, result) in zip(batch, results).dropFirst() { job.continuation.resume(returning: .done(result)) }
        let next = queue.withLock { queue -> Job? in
            guard let head = queue.jobs.first else { queue.leading = false; return nil }
            return head
        }
        next?.continuation.resume(returning: .lead)
        return results[0]
    }

    /// Runs the batch in one transaction, each write in its savepoint; the results in the batch's order.
    /// GRDB's callback form is used because it does not watch for task cancellation.
    private func commit(_ batch: [Job]) async -> [Result<any Sendable, any Error>] {
        let works = batch.map(\.work)
        let outcome = await withCheckedContinuation { (continuation: CheckedContinuation<Result<[Result<any Sendable, any Error>], any Error>, Never>) in
            writer.asyncWrite({ db -> [Result<any Sendable, any Error>] in
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
            }, completion: { _, outcome in continuation.resume(returning: outcome) })
        }
        switch outcome {
        case .success(let results):
            onBatch.withLock { $0 }.report?(batch.count)
            return results
        case .failure(let error):
            // The commit itself failed: nothing in the batch is stored.
            return batch.map { _ in .failure(error) }
        }
    }
}
