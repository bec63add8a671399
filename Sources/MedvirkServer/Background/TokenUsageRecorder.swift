import Foundation
import Logging
import MedvirkStore
import ServiceLifecycle
import Synchronization

/// Keeps each token's `last_used_at` roughly current without a durable write on every request: a request
/// hands the use over (at most once a minute per token) and this `Service` writes it after the answer is
/// sent. On graceful shutdown (SIGTERM) it runs after the HTTP server has stopped, writes what is left, and ends.
final class TokenUsageRecorder: Service, Sendable {
    /// Seconds between two writes of the same token's `last_used_at`.
    static let interval: TimeInterval = 60

    private let store: Store
    private let logger: Logger
    private let uses: AsyncStream<(id: String, at: Date)>
    private let pending: AsyncStream<(id: String, at: Date)>.Continuation
    /// When each token's use was last handed over.
    private let lastHandedOver = Mutex<[String: Date]>([:])

    init(store: Store, logger: Logger) {
        self.store = store
        self.logger = logger
        (uses, pending) = AsyncStream.makeStream(of: (id: String, at: Date).self)
    }

    /// Records that `tokenId` authenticated a request at `now` (the store's clock).
    func used(_ tokenId: String, at now: Date) {
        let due = lastHandedOver.withLock { times -> Bool in
            if let last = times[tokenId], now.timeIntervalSince(last) < Self.interval { return false }
            times[tokenId] = now
            return true
        }
        if due { pending.yield((tokenId, now)) }
    }

    func run() async throws {
        await withGracefulShutdownHandler {
            for await use in uses {
                do {
                    try await store.touchToken(use.id, at: use.at)
                } catch {
                    logger.warning("could not record a token's last use", metadata: ["token": "\(use.id)", "error": "\(error)"])
                }
            }
        } onGracefulShutdown: { [pending] in
            pending.finish()
        }
    }
}
