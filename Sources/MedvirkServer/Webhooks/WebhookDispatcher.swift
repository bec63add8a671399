import Foundation
import Logging
import MedvirkCore
import MedvirkStore
import ServiceLifecycle
import Synchronization

/// How webhooks are sent (`serve --webhook-…`).
public struct WebhookSettings: Sendable {
    /// Lifts the public-address check and allows `http://` (`--webhook-allow-private`).
    public var allowPrivate = false
    /// The waits between attempts (`--webhook-retry-schedule`).
    public var schedule = RetrySchedule.standard
    /// Seconds of nothing but failed attempts after which a subscription is disabled.
    public var disableAfter = Store.defaultWebhookDisableAfter
    /// Subscriptions sending at once, over all tokens.
    public var concurrency = WebhookSender.connectionsPerHost
    /// Subscriptions of one token sending at once, so no subscriber takes every slot.
    public var concurrencyPerToken = 4
    /// Seconds one attempt may take, from connecting to the end of the answer.
    public var attemptTimeout: Int64 = 10
    /// Resolves subscriber host names; tests inject their own.
    public var resolver: any HostResolver = SystemResolver()

    public init() {}

    var policy: WebhookAddressPolicy { WebhookAddressPolicy(allowPrivate: allowPrivate, resolver: resolver) }
}

/// Delivers webhook events: a `Service` in the application's service group. Each pass records the attempts
/// that finished, queues deliveries for the feed entries written since the last pass (the change feed is
/// the outbox: `Store.queueWebhookDeliveries`), and starts a sender for each subscription with deliveries
/// due: at most `concurrency` at once; each sends its subscription's due deliveries one at a time, in feed
/// order, and stops at the first that must wait for a retry. Between passes it sleeps until a commit
/// touches the feed or the webhook tables, an attempt finishes, or the earliest retry falls due on the
/// store's clock. On shutdown the attempts under way are abandoned; they stay pending and are sent again
/// after a restart, so every event is delivered at least once.
final class WebhookDispatcher: Service, Sendable {
    private let store: Store
    private let settings: WebhookSettings
    private let sender: WebhookSender
    private let metrics: ServiceMetrics
    private let logger: Logger
    private let signals = SchedulerSignals()
    /// Attempts made and subscriptions whose sender ended, since the last pass.
    private let finished = Mutex<(results: [AttemptResult], done: [String])>(([], []))

    init(store: Store, settings: WebhookSettings, metrics: ServiceMetrics, logger: Logger) {
        self.store = store
        self.settings = settings
        self.sender = WebhookSender(policy: settings.policy, timeout: settings.attemptTimeout)
        self.metrics = metrics
        self.logger = logger
    }

    func run() async throws {
        await cancelWhenGracefulShutdown { await self.passes() }
        await sender.shutdown()
    }

    private func passes() async {
        let signals = signals
        let observation = store.observeCommits(touching: ["changes", "webhooks", "webhook_deliveries"], onError: { [logger] error in
            logger.error("cannot watch commits for webhooks; deliveries wait for retries", metadata: ["error": "\(error)"])
        }, onCommit: { signals.wake() })
        defer { observation.cancel() }
        await withDiscardingTaskGroup { group in
            /// The subscriptions sending now, with their tokens.
            var busy: [String: String] = [:]
            while !Task.isCancelled {
                var next = Date.distantFuture
                do {
                    let (results, done) = finished.withLock { finished in defer { finished = ([], []) }; return finished }
                    do {
                        try await store.recordAttempts(results, schedule: settings.schedule, disableAfter: settings.disableAfter)
                    } catch {
                        finished.withLock { $0.results.insert(contentsOf: results, at: 0); $0.done += done }  // recorded on a later pass
                        throw error
                    }
                    for result in results { metrics.webhookAttempt(outcome: Self.outcome(result, schedule: settings.schedule)) }
                    for webhook in done { busy[webhook] = nil }
                    try await store.queueWebhookDeliveries()
                    // One time for the whole pass: a retry falling due between two readings of the clock would
                    // be neither due in the first nor after it in the second, and the pass would sleep past it.
                    let now = store.clock.now()
                    var perToken = busy.values.reduce(into: [String: Int]()) { $0[$1, default: 0] += 1 }
                    let full = Set(perToken.filter { $0.value >= settings.concurrencyPerToken }.keys)
                    let due = try await store.dueDeliveries(now: now, busy: Set(busy.keys), fullTokens: full,
                                                            limit: settings.concurrency - busy.count)
                    for deliveries in due {
                        guard let first = deliveries.first, perToken[first.tokenId, default: 0] < settings.concurrencyPerToken else { continue }
                        busy[first.webhookId] = first.tokenId
                        perToken[first.tokenId, default: 0] += 1
                        group.addTask { [self] in
                            await send(deliveries)
                            finished.withLock { $0.done.append(first.webhookId) }
                            signals.wake()
                        }
                    }
                    if let retry = try await store.nextWebhookAttempt(after: now) { next = retry }
                } catch where Task.isCancelled {
                    break
                } catch {
                    logger.error("webhook pass failed; trying again shortly", metadata: ["error": "\(error)"])
                    next = store.clock.now().addingTimeInterval(5)
                }
                await sleep(until: next)
                // Under a burst of writes, let commits gather between passes.
                try? await Task.sleep(for: .milliseconds(5))
            }
        }
    }

    /// Sends one subscription's deliveries in order until one must wait for a retry, or the subscription
    /// changes (paused, disabled, deleted, given a new URL or secret: the next pass reads it anew), which also
    /// abandons an attempt under way.
    private func send(_ deliveries: [DueDelivery]) async {
        for (i, delivery) in deliveries.enumerated() {
            let current: @Sendable () async -> Bool = { [store] in
                (try? await store.activeWebhookVersion(delivery.webhookId)) == delivery.version
            }
            if i > 0, !(await current()) { return }
            // Abandoned mid-attempt (the subscription changed): still pending, for the next pass to read anew.
            guard let result = await sender.send(delivery, while: current) else { return }
            finished.withLock { $0.results.append(result) }
            signals.wake()
            if result.verdict == .retry || Task.isCancelled { return }
        }
    }

    /// `delivered`, `retried` or `failed`, for `/metrics`.
    static func outcome(_ result: AttemptResult, schedule: RetrySchedule) -> String {
        switch result.verdict {
        case .delivered: "delivered"
        case .retry where result.delivery.attempt < schedule.attempts: "retried"
        default: "failed"
        }
    }

    private func sleep(until next: Date) async { await signals.sleep(until: next, on: store.clock) }
}
