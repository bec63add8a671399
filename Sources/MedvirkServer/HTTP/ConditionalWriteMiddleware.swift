import Foundation
import HTTPTypes
import Hummingbird
import MedvirkCore
import NIOCore
import Synchronization

/// `If-Match` on PATCH, PUT and DELETE (RFC 9110 §13.1.1): compares it with the entity tag a GET of the same
/// path would send now, read by an internal GET through the same router as the same caller (not logged,
/// counted or rate-limited), and puts the outcome on the context, where `APIHandlers.writeActor()` raises a
/// failed one once the body has proved valid. Every PATCH, PUT and DELETE runs under a gate for its resource
/// (`KeyedGate`), taken only now, after authentication and the whole body have arrived, so a slow upload
/// never holds it.
struct ConditionalWriteMiddleware: RouterMiddleware {
    typealias Context = MedvirkRequestContext
    let router: BuiltRouter
    let gates = KeyedGate()

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method.changesResource else { return try await next(request, context) }
        // Every write to the resource takes the gate, so none lands between another's check and its write.
        let key = Self.gateKey(request.uri.path)
        await gates.acquire(key)
        do {
            var context = context
            if let ifMatch = request.headers[.ifMatch] { context.precondition = try await precondition(ifMatch, request, context) }
            let response = try await next(request, context)
            await gates.release(key)
            return response
        } catch {
            await gates.release(key)
            throw error
        }
    }

    func precondition(_ ifMatch: String, _ request: Request, _ context: Context) async throws -> Precondition {
        // A value that is not an entity tag list names no representation, so it cannot match: 412, saying why.
        guard EntityTags.isWellFormed(ifMatch) else {
            return .failed(Problem(status: 412, slug: "precondition-failed", title: "Precondition failed",
                                   detail: "If-Match must be * or a list of quoted entity tags such as \"1a2b3c\" (the ETag as sent); this one matches nothing.",
                                   errors: [FieldError("If-Match", "is not * or a list of quoted entity tags")]))
        }
        var head = request.head
        head.method = .get
        for name in [HTTPField.Name.ifMatch, .ifNoneMatch, .contentType, .contentLength, .acceptEncoding] { head.headerFields[name] = nil }
        var probe = context
        probe.isProbe = true
        let current = try await router.respond(to: Request(head: head, body: RequestBody(buffer: ByteBuffer())), context: probe)
        // No current representation (minutes not written yet): If-Match, `*` included, cannot match (RFC 9110 §13.1.1).
        if current.status == .notFound {
            return .failed(Problem(status: 412, slug: "precondition-failed", title: "Precondition failed",
                                   detail: "If-Match names a current representation, but there is none yet. Leave If-Match out to create it."))
        }
        guard current.status == .ok, let tag = current.headers[.eTag] else { return .notGiven }
        if EntityTags.match(ifMatch, current: tag) || EntityTags.match(ifMatch, current: EntityTags.gzipVariant(of: tag)) { return .matched }
        return .failed(Problem(status: 412, slug: "precondition-failed", title: "Precondition failed",
                               detail: "The resource has changed: its ETag is \(tag), not \(ifMatch). Fetch it again and retry."))
    }

    /// Writes to one resource, or to children of one parent (an agenda reorder renumbers its siblings), wait
    /// for each other: `/v1/meetings/m1/agenda-items/a2` is gated as `/v1/meetings/m1`.
    static func gateKey(_ path: String) -> String {
        "/" + path.split(separator: "/").prefix(3).joined(separator: "/")
    }
}

/// The pipeline and router once built, for the internal GET of `ConditionalWriteMiddleware` (the pipeline is
/// declared before the responder that runs it exists). Set once by `buildResponder`.
final class BuiltRouter: Sendable {
    private let responder = Mutex<(any HTTPResponder<MedvirkRequestContext>)?>(nil)

    func set(_ built: any HTTPResponder<MedvirkRequestContext>) { responder.withLock { $0 = built } }

    func respond(to request: Request, context: MedvirkRequestContext) async throws -> Response {
        guard let built = responder.withLock({ $0 }) else { throw ContractMismatch(description: "the router is not built yet") }
        return try await built.respond(to: request, context: context)
    }
}
