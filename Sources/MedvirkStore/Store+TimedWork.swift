import Foundation
import GRDB
import MedvirkCore

extension Store {
    /// The store's work that falls due as time passes, for the server's scheduler: announcing, in the change
    /// feed, the responses a consultation's deadline releases to the public; purging unattached files; erasing
    /// respondents' personal data when a consultation's retention period ends; announcing the moments the clock
    /// brings consultations to (opened, closing soon, closed); pruning webhook deliveries kept 30 days.
    /// `closingSoonLead` sets when `consultation.closing_soon` is announced.
    public var timedJobs: [TimedJob] {
        [TimedJob(name: "announce consultations opening, closing soon and closing", tables: ["consultations"],
                  nextDue: { now in try await nextClockMoment(after: now) },
                  run: { now in try await announceClockMoments(now: now) }),
         TimedJob(name: "release responses at deadlines", tables: ["consultations"],
                  nextDue: { now in try await nextResponseRelease(after: now) },
                  run: { now in try await releaseDueResponses(now: now) }),
         TimedJob(name: "purge unattached files", tables: ["files"],
                  nextDue: { now in try await nextFilePurge(after: now) },
                  run: { now in try await purgeFiles(now: now) }),
         TimedJob(name: "erase personal data past retention", tables: ["consultations", "municipalities"],
                  nextDue: { now in try await nextRetentionDue(after: now) },
                  run: { now in try await erasePersonalData(now: now) }),
         TimedJob(name: "prune webhook deliveries after 30 days", tables: [],
                  nextDue: { now in try await nextDeliveryPrune() ?? now.addingTimeInterval(86_400) },
                  run: { now in try await pruneWebhookDeliveries(now: now) })]
    }

    /// Calls `onCommit` after every transaction of this process that changed one of `tables`. It runs on the
    /// writer's queue, inside the commit's completion, so it must only signal (wake a task), never wait.
    /// Keep the returned observation: it stops when cancelled or released.
    /// `onError` is called if the observation fails (it then stops).
    public func observeCommits(touching tables: Set<String>, onError: @escaping @Sendable (any Error) -> Void,
                               onCommit: @escaping @Sendable () -> Void) -> CommitObservation {
        let observation = DatabaseRegionObservation(tracking: tables.sorted().map { Table($0) })
        return CommitObservation(observation.start(in: pool, onError: onError, onChange: { _ in onCommit() }))
    }
}

/// A running `observeCommits`; it stops when cancelled or released.
public final class CommitObservation: Sendable {
    private let cancellable: AnyDatabaseCancellable

    init(_ cancellable: AnyDatabaseCancellable) { self.cancellable = cancellable }

    public func cancel() { cancellable.cancel() }
}
