import Foundation
import Synchronization

/// Where the store reads the time, and how background work waits for it. Tests use `ManualClock` to cross
/// `opens_at` and `closes_at` exactly, and to drive the scheduler without sleeping.
public protocol WallClock: Sendable {
    /// The current time in whole seconds.
    func now() -> Date
    /// Suspends until the clock reads `deadline` or later; returns early when the task is cancelled.
    func sleep(until deadline: Date) async
}

/// The system's time, cut to whole seconds: the precision Medvirk keeps everywhere.
public struct SystemClock: WallClock {
    /// The longest single sleep, in seconds: a wall clock that is stepped (NTP, a suspended host) is
    /// noticed within this time, since `Task.sleep` measures elapsed time, not the wall clock.
    public static let longestSleep: TimeInterval = 300

    public init() {}
    public func now() -> Date { UTCTimestamp.wholeSeconds(Date()) }

    public func sleep(until deadline: Date) async {
        while !Task.isCancelled {
            let left = deadline.timeIntervalSince(Date())
            guard left > 0 else { return }
            try? await Task.sleep(for: .seconds(min(left, Self.longestSleep)))
        }
    }
}

/// A clock that moves only when told. Whatever acts on the time (the scheduler) follows it with `follow`;
/// `set` and `advance` return once every follower has acted on the new time, so a test reads the effects
/// of time passing without sleeping.
public final class ManualClock: WallClock {
    /// Called with the new time; returns when the follower has acted on it.
    public typealias Follower = @Sendable (Date) async -> Void

    private struct State {
        var now: Date
        var sleepers: [UUID: (deadline: Date, continuation: CheckedContinuation<Void, Never>)] = [:]
        var followers: [UUID: Follower] = [:]
    }

    private let state: Mutex<State>

    public init(_ start: Date) { state = Mutex(State(now: start)) }

    /// The time it was set to, cut to whole seconds like the system clock.
    public func now() -> Date { UTCTimestamp.wholeSeconds(state.withLock { $0.now }) }

    public func set(_ date: Date) async { await move { _ in date } }

    /// Adds `seconds` to the time it holds (fractions accumulate; `now()` shows whole seconds).
    public func advance(by seconds: TimeInterval) async { await move { $0.addingTimeInterval(seconds) } }

    /// Sets the time, resumes the sleepers it reached, and waits for every follower to act on it.
    private func move(_ change: (Date) -> Date) async {
        let (woken, followers) = state.withLock { state in
            state.now = change(state.now)
            let date = state.now
            let shown = UTCTimestamp.wholeSeconds(date)
            let due = state.sleepers.filter { $0.value.deadline <= shown }
            for id in due.keys { state.sleepers[id] = nil }
            return (due.values.map(\.continuation), Array(state.followers.values))
        }
        for continuation in woken { continuation.resume() }
        let shown = now()
        for follower in followers { await follower(shown) }
    }

    public func sleep(until deadline: Date) async {
        let id = UUID()
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state -> Bool in
                    guard UTCTimestamp.wholeSeconds(state.now) < deadline, !Task.isCancelled else { return true }
                    state.sleepers[id] = (deadline, continuation)
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.sleepers.removeValue(forKey: id) }?.continuation.resume()
        }
    }

    /// Registers `follower` until the returned id is passed to `unfollow`.
    public func follow(_ follower: @escaping Follower) -> UUID {
        let id = UUID()
        state.withLock { $0.followers[id] = follower }
        return id
    }

    public func unfollow(_ id: UUID) { state.withLock { $0.followers[id] = nil } }
}
