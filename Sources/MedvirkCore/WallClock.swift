import Foundation
import Synchronization

/// Where the store reads the time. Tests use `ManualClock` to cross `opens_at` and `closes_at` exactly.
public protocol WallClock: Sendable {
    func now() -> Date
}

/// The system's time, cut to whole seconds: the precision Medvirk keeps everywhere.
public struct SystemClock: WallClock {
    public init() {}
    public func now() -> Date { UTCTimestamp.wholeSeconds(Date()) }
}

public final class ManualClock: WallClock {
    private let current: Mutex<Date>

    public init(_ start: Date) { current = Mutex(start) }

    public func now() -> Date { current.withLock { $0 } }

    public func set(_ date: Date) { current.withLock { $0 = date } }

    public func advance(by seconds: TimeInterval) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }
}
