import Foundation
import MedvirkCore
import NIOCore
import Synchronization

/// Per-request facts shared between the front responder and the generated handlers,
/// which have no access to the Hummingbird request context.
public final class RequestState: Sendable {
    @TaskLocal public static var current: RequestState?

    public let requestId: String
    public let method: String
    public let path: String
    private let storage: Mutex<Storage>

    struct Storage {
        var principal: Principal = .anonymous
        var rawBody: ByteBuffer?
        var json: JSONValue?
        var nextPage: String?
        var isList = false
        var cursorParameter = "cursor"
        var cacheSlot: ResponseCache.Slot?
        var maxAge: Int?
        var location: String?
        var failedPrecondition: Problem?
        var extraHeaders: [String: String] = [:]
        var streamTag: String?
        var preconditionChecked = false
    }

    init(requestId: String, method: String, path: String) {
        self.requestId = requestId
        self.method = method
        self.path = path
        self.storage = Mutex(Storage())
    }

    public var principal: Principal {
        get { storage.withLock { $0.principal } }
        set { storage.withLock { $0.principal = newValue } }
    }

    /// The request body exactly as received, for JSON Merge Patch (which must tell `null` from absent).
    var rawBody: ByteBuffer? {
        get { storage.withLock { $0.rawBody } }
        set { storage.withLock { $0.rawBody = newValue } }
    }

    /// The body parsed once as JSON (nil when it is not JSON), for the null policy and merge patches.
    var json: JSONValue? {
        get { storage.withLock { $0.json } }
        set { storage.withLock { $0.json = newValue } }
    }

    /// Set by list handlers: the `next_cursor` of this page (nil on the last page).
    /// `parameter` is the query parameter the next page's cursor goes in.
    func markList(next: String?, parameter: String = "cursor") {
        storage.withLock {
            $0.isList = true
            $0.nextPage = next
            $0.cursorParameter = parameter
        }
    }

    var list: (isList: Bool, next: String?, parameter: String) { storage.withLock { ($0.isList, $0.nextPage, $0.cursorParameter) } }

    /// A handler's own `max-age` for public answers (the change feed must be revalidated on every poll).
    var maxAge: Int? {
        get { storage.withLock { $0.maxAge } }
        set { storage.withLock { $0.maxAge = newValue } }
    }

    /// Set when an anonymous read missed the cache: where its answer goes.
    var cacheSlot: ResponseCache.Slot? {
        get { storage.withLock { $0.cacheSlot } }
        set { storage.withLock { $0.cacheSlot = newValue } }
    }

    var location: String? {
        get { storage.withLock { $0.location } }
        set { storage.withLock { $0.location = newValue } }
    }

    /// Headers the generated layer would percent-encode (quotes in Content-Disposition), set by handlers.
    func setHeader(_ name: String, _ value: String) {
        storage.withLock { $0.extraHeaders[name] = value }
    }

    var extraHeaders: [String: String] { storage.withLock { $0.extraHeaders } }

    /// A streamed body is not read for an ETag; the handler names its entity tag instead.
    var streamTag: String? {
        get { storage.withLock { $0.streamTag } }
        set { storage.withLock { $0.streamTag = newValue } }
    }

    /// Set by the front responder when `If-Match` does not match; thrown by `checkPrecondition`.
    var failedPrecondition: Problem? {
        get { storage.withLock { $0.failedPrecondition } }
        set { storage.withLock { $0.failedPrecondition = newValue } }
    }

    var preconditionChecked: Bool { storage.withLock { $0.preconditionChecked } }

    /// Write handlers call this after validating the request and before writing, so that a malformed
    /// body is a 400/422 even when `If-Match` is stale, and a stale `If-Match` never writes.
    func checkPrecondition() throws {
        let failed = storage.withLock { storage -> Problem? in
            storage.preconditionChecked = true
            return storage.failedPrecondition
        }
        if let failed { throw failed }
    }

    /// The audit identity of an admin write.
    func actor() -> WriteActor? {
        guard case .token(let token) = principal else { return nil }
        return WriteActor(tokenId: token.id, tokenName: token.name, method: method, path: path, requestId: requestId)
    }
}

extension RequestState {
    /// The state of the request being handled; handlers always run inside the front responder.
    static var now: RequestState {
        guard let state = current else { preconditionFailure("handler called outside FrontResponder") }
        return state
    }
}
