import Foundation
import Logging
import MedvirkCore
import MedvirkStore
import ServiceLifecycle
import Synchronization

/// The one place where work falls due because time passes. A `Service` in the application's service group:
/// each pass runs every registered `TimedJob` at the clock's current time, then sleeps until the earliest
/// time any job said it will have work, until a commit changes a table a job watches (a deadline moved), or
/// until a job is registered. Other parts of the server register jobs here rather than polling on their own.
///
/// With a `ManualClock`, moving the clock wakes the scheduler and returns only after a pass at the new time,
/// so tests see the effects of time passing without sleeping. Graceful shutdown (SIGTERM) cancels a pass
/// under way (its transaction rolls back; every job is safe to run again, so the next start does it) and
/// ends the service.
public final class Scheduler: Service, Sendable {
    private let store: Store
    private let logger: Logger
    private let jobs = Mutex<[TimedJob]>([])
    private let signals = SchedulerSignals()
    /// Follows a `ManualClock` from the start, so a test that moves the clock before the first pass still
    /// waits for a pass at the new time.
    private let following: (clock: ManualClock, id: UUID)?
    /// How long after a failed job the scheduler tries again, in seconds.
    static let retryDelay: TimeInterval = 60

    public init(store: Store, logger: Logger) {
        self.store = store
        self.logger = logger
        let signals = signals
        following = (store.clock as? ManualClock).map { clock in
            (clock, clock.follow { time in await signals.caughtUp(to: time) })
        }
    }

    deinit {
        if let following { following.clock.unfollow(following.id) }
    }

    /// Adds a job; the next pass runs it.
    public func register(_ job: TimedJob) {
        jobs.withLock { $0.append(job) }
        signals.wake()
    }

    public func run() async throws {
        defer { signals.stop() }
        await cancelWhenGracefulShutdown { await self.passes() }
    }

    /// Pass after pass until cancelled, watching the tables the jobs name for commits.
    private func passes() async {
        var watched: Set<String> = []
        var observation: CommitObservation?
        defer { observation?.cancel() }
        while !Task.isCancelled {
            let jobs = self.jobs.withLock { $0 }
            let tables = jobs.reduce(into: Set<String>()) { $0.formUnion($1.tables) }
            if tables != watched || signals.takeObservationFailure() {
                observation?.cancel()
                observation = store.observeCommits(touching: tables, onError: { [logger, signals] error in
                    logger.error("cannot watch commits for the scheduler; watching again", metadata: ["error": "\(error)"])
                    signals.observationFailed()
                }, onCommit: { [signals] in signals.wake() })
                watched = tables
            }
            let now = store.clock.now()
            let next = await pass(jobs, at: now)
            signals.finished(at: now)
            await sleep(until: next)
        }
    }

    /// Runs every job at `now`; returns when the next pass is due.
    private func pass(_ jobs: [TimedJob], at now: Date) async -> Date {
        var next = Date.distantFuture
        for job in jobs {
            do {
                try await job.run(now)
                if let due = try await job.nextDue(now) { next = min(next, due) }
            } catch where Task.isCancelled {
                break  // shutting down; the work is still due at the next start
            } catch {
                logger.error("scheduled job failed; trying again later", metadata: ["job": "\(job.name)", "error": "\(error)"])
                next = min(next, now.addingTimeInterval(Self.retryDelay))
            }
        }
        return next
    }

    /// Sleeps until `next` on the store's clock or until woken, whichever comes first.
    private func sleep(until next: Date) async { await signals.sleep(until: next, on: store.clock) }
}

/// The scheduler's wake-ups and the callers waiting for a pass (the webhook dispatcher sleeps and wakes by
/// one too).
final class SchedulerSignals: Sendable {
    private struct State {
        /// A wake-up that arrived while no pass was waiting for one.
        var woken = false
        var wakeup: CheckedContinuation<Void, Never>?
        /// Callers of `caughtUp(to:)`, resumed after a pass at or after their time.
        var waiters: [(time: Date, continuation: CheckedContinuation<Void, Never>)] = []
        var stopped = false
        /// The commit observation failed (it has then stopped): the next pass starts a new one.
        var observationFailed = false
    }

    private let state = Mutex(State())

    /// Starts a pass now, or right after the current one.
    func wake() {
        let continuation = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard let waiting = state.wakeup else { state.woken = true; return nil }
            state.wakeup = nil
            return waiting
        }
        continuation?.resume()
    }

    /// Returns at `next` on `clock` or at the next `wake()`, whichever comes first.
    func sleep(until next: Date, on clock: any WallClock) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await clock.sleep(until: next) }
            group.addTask { await self.nextWake() }
            await group.next()
            group.cancelAll()
        }
    }

    /// Returns at the next `wake()` (at once if one arrived since the last), or when cancelled.
    func nextWake() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state -> Bool in
                    if state.woken || Task.isCancelled {
                        state.woken = false
                        return true
                    }
                    state.wakeup = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            state.withLock { state -> CheckedContinuation<Void, Never>? in
                defer { state.wakeup = nil }
                return state.wakeup
            }?.resume()
        }
    }

    /// A pass that started at `time` has finished.
    func finished(at time: Date) {
        let due = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            let done = state.waiters.filter { $0.time <= time }.map(\.continuation)
            state.waiters.removeAll { $0.time <= time }
            return done
        }
        for continuation in due { continuation.resume() }
    }

    /// The commit observation failed: a pass starts now and watches again.
    func observationFailed() {
        state.withLock { $0.observationFailed = true }
        wake()
    }

    /// Whether the observation failed since the last call.
    func takeObservationFailure() -> Bool {
        state.withLock { state in
            defer { state.observationFailed = false }
            return state.observationFailed
        }
    }

    /// The scheduler has ended: nobody waits for it any more.
    func stop() {
        let waiting = state.withLock { state in
            state.stopped = true
            defer { state.waiters = [] }
            return state.waiters.map(\.continuation)
        }
        for continuation in waiting { continuation.resume() }
    }

    /// Wakes the scheduler and returns once a pass has run at `time` or later (at once when it has stopped).
    /// The caller waits before it wakes the scheduler, so a pass that starts and ends in between still counts.
    func caughtUp(to time: Date) async {
        await withCheckedContinuation { continuation in
            let resumeNow = state.withLock { state -> Bool in
                guard !state.stopped else { return true }
                state.waiters.append((time, continuation))
                return false
            }
            if resumeNow { continuation.resume() } else { wake() }
        }
    }
}
