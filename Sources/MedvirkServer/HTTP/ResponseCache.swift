import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization

/// Rendered anonymous GET responses, each kept while the write generation it was read at is still current.
/// A hit is answered from memory: no SQLite, no generated handler. Some public answers follow the clock
/// rather than writes (a consultation's phase, today's members), so an entry also ends at the next time
/// such an answer can change, and after `lifetime` at the latest, on the store's clock. Memory is bounded
/// by a byte budget; the least recently used entries go first.
final class ResponseCache: Sendable {
    struct Entry: Sendable {
        var headers: HTTPFields
        var body: ByteBuffer
        var generation: Int64
        var storedAt: Date
        var validUntil: Date
        var lastUsed: UInt64 = 0
        var size: Int { body.readableBytes + headers.reduce(0) { $0 + $1.name.rawName.utf8.count + $1.value.utf8.count } + 64 }
    }

    /// Where a response may be stored once rendered: its key and the generation read before rendering.
    struct Slot: Sendable {
        var key: String
        var generation: Int64
    }

    private struct Storage {
        var entries: [String: Entry] = [:]
        var bytes = 0
        var clock: UInt64 = 0
    }

    /// Paths whose answers are never cached or publicly cacheable: probes and metrics must be live.
    static let livePaths: Set<String> = ["/healthz", "/readyz", "/metrics"]

    let budget: Int
    let lifetime: TimeInterval
    private let storage = Mutex(Storage())

    init(budget: Int, lifetime: TimeInterval) {
        self.budget = budget
        self.lifetime = lifetime
    }

    var isEnabled: Bool { budget > 0 }

    /// One key per representation: path and query, and the request headers the response varies on.
    static func key(for request: Request, gzip: Bool) -> String {
        let accept = request.headers[.accept] ?? ""
        let origin = request.headers[.origin] ?? ""
        return "\(request.uri.path)?\(request.uri.query ?? "")\n\(accept)\n\(gzip ? "gzip" : "identity")\n\(origin)"
    }

    func lookup(_ key: String, generation: Int64, now: Date) -> Entry? {
        storage.withLock { storage in
            guard var entry = storage.entries[key] else { return nil }
            guard entry.generation == generation, now >= entry.storedAt, now < entry.validUntil else {
                storage.entries[key] = nil
                storage.bytes -= entry.size
                return nil
            }
            storage.clock += 1
            entry.lastUsed = storage.clock
            storage.entries[key] = entry
            return entry
        }
    }

    func store(_ key: String, _ entry: Entry) {
        guard entry.size <= budget / 8 else { return }
        storage.withLock { storage in
            if let old = storage.entries[key] { storage.bytes -= old.size }
            var entry = entry
            storage.clock += 1
            entry.lastUsed = storage.clock
            storage.entries[key] = entry
            storage.bytes += entry.size
            guard storage.bytes > budget else { return }
            // Evict down to 90 % of the budget in one pass, oldest use first.
            for (oldKey, old) in storage.entries.sorted(by: { $0.value.lastUsed < $1.value.lastUsed }) {
                guard storage.bytes > budget * 9 / 10 else { break }
                storage.entries[oldKey] = nil
                storage.bytes -= old.size
            }
        }
    }

    /// Bytes held, as the byte budget counts them.
    var bytes: Int { storage.withLock { $0.bytes } }
}
