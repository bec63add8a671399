import Foundation
import Prometheus
import MedvirkStore
import Synchronization

/// The service's Prometheus metrics, served at `/metrics`: requests by route, method and status with
/// latency histograms, group-commit batch sizes, response-cache hits and misses, the database size, and
/// webhook delivery attempts by outcome with the queue's depth and its oldest pending delivery's age.
final class ServiceMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    private let batches: ValueHistogram
    private let cacheHits: Counter
    private let cacheMisses: Counter
    private let databaseBytes: Gauge
    private let cacheBytes: Gauge
    private let fileBytes: Gauge
    private let webhookDepth: Gauge
    private let webhookOldest: Gauge
    /// Webhook delivery attempts by outcome (`delivered`, `retried`, `failed`).
    private let webhookAttempts = Mutex<[String: Counter]>([:])
    /// Upload counters by outcome (`stored`, `replayed`, or the problem's slug).
    private let uploads = Mutex<[String: Counter]>([:])
    /// The per-route collectors, kept so a request costs one dictionary lookup rather than a registry search.
    private let routes = Mutex<[String: (Counter, DurationHistogram)]>([:])

    static let latencyBuckets: [Duration] = [.microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10),
                                             .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
                                             .milliseconds(500), .seconds(1), .seconds(2), .seconds(5), .seconds(10)]

    init() {
        batches = registry.makeValueHistogram(
            descriptor: MetricNameDescriptor(namespace: "medvirk", metricName: "submission_batch", unitName: "size",
                                             helpText: "Hearing responses committed together in one transaction."),
            labels: [], buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256])
        cacheHits = registry.makeCounter(descriptor: MetricNameDescriptor(
            namespace: "medvirk", metricName: "cache_hits", unitName: "total", helpText: "Anonymous reads answered from the response cache."), labels: [])
        cacheMisses = registry.makeCounter(descriptor: MetricNameDescriptor(
            namespace: "medvirk", metricName: "cache_misses", unitName: "total", helpText: "Anonymous reads the cache could not answer."), labels: [])
        databaseBytes = registry.makeGauge(descriptor: MetricNameDescriptor(
            namespace: "medvirk", metricName: "database", unitName: "bytes", helpText: "Size of the SQLite database and its WAL."), labels: [])
        cacheBytes = registry.makeGauge(descriptor: MetricNameDescriptor(
            namespace: "medvirk", metricName: "cache", unitName: "bytes", helpText: "Memory held by the response cache."), labels: [])
        fileBytes = registry.makeGauge(descriptor: MetricNameDescriptor(
            namespace: "medvirk", metricName: "files_stored", unitName: "bytes",
            helpText: "Bytes of hosted files (each distinct content once)."), labels: [])
        webhookDepth = registry.makeGauge(descriptor: MetricNameDescriptor(
            namespace: "medvirk", subsystem: "webhook", metricName: "queue_depth", unitName: "deliveries",
            helpText: "Webhook deliveries waiting to be sent or retried (active subscriptions)."), labels: [])
        webhookOldest = registry.makeGauge(descriptor: MetricNameDescriptor(
            namespace: "medvirk", subsystem: "webhook", metricName: "oldest_pending_age", unitName: "seconds",
            helpText: "Age of the oldest webhook delivery still pending."), labels: [])
    }

    /// One webhook delivery attempt's outcome: `delivered`, `retried` (another attempt is scheduled) or `failed`.
    func webhookAttempt(outcome: String) {
        let counter = webhookAttempts.withLock { counters in
            if let found = counters[outcome] { return found }
            let made = registry.makeCounter(descriptor: MetricNameDescriptor(
                namespace: "medvirk", subsystem: "webhook", metricName: "attempts", unitName: "total",
                helpText: "Webhook delivery attempts by outcome."), labels: [("outcome", outcome)])
            counters[outcome] = made
            return made
        }
        counter.increment()
    }

    /// `route` is the contract's path template, so ids never become label values.
    func request(route: String, method: String, status: Int, duration: Duration) {
        let key = "\(method) \(status) \(route)"
        let (counter, histogram) = routes.withLock { routes in
            if let found = routes[key] { return found }
            let made = (
                registry.makeCounter(descriptor: MetricNameDescriptor(
                    namespace: "medvirk", subsystem: "http", metricName: "requests", unitName: "total", helpText: "Requests answered."),
                    labels: [("route", route), ("method", method), ("status", String(status))]),
                registry.makeDurationHistogram(descriptor: MetricNameDescriptor(
                    namespace: "medvirk", subsystem: "http", metricName: "request_duration", unitName: "seconds",
                    helpText: "Time to answer a request."),
                    labels: [("route", route), ("method", method)], buckets: Self.latencyBuckets))
            routes[key] = made
            return made
        }
        counter.increment()
        histogram.record(duration)
    }

    func batch(_ size: Int) { batches.record(Double(size)) }

    func cache(hit: Bool) { (hit ? cacheHits : cacheMisses).increment() }

    /// One upload's outcome: `stored`, `replayed`, or the slug of the problem that refused it.
    func upload(outcome: String) {
        let counter = uploads.withLock { counters in
            if let found = counters[outcome] { return found }
            let made = registry.makeCounter(descriptor: MetricNameDescriptor(
                namespace: "medvirk", metricName: "uploads", unitName: "total", helpText: "File uploads by outcome."),
                labels: [("outcome", outcome)])
            counters[outcome] = made
            return made
        }
        counter.increment()
    }

    /// The exposition text, with the gauges read now.
    func render(databasePath: String, cacheUsage: Int, fileBytes stored: Int64, webhookQueue: WebhookQueueStats) -> String {
        fileBytes.set(to: Double(stored))
        webhookDepth.set(to: Double(webhookQueue.depth))
        webhookOldest.set(to: webhookQueue.oldestPendingAge)
        let size = ["", "-wal"].compactMap { try? FileManager.default.attributesOfItem(atPath: databasePath + $0)[.size] as? Int }.reduce(0, +)
        databaseBytes.set(to: Double(size))
        cacheBytes.set(to: Double(cacheUsage))
        return registry.emitToString()
    }
}
