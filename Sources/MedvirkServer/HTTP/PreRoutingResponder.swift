import Foundation
import HTTPTypes
import Hummingbird
import MedvirkCore
import NIOCore

/// What must happen before the router picks a route, or needs the built router: the request id, HEAD
/// answered as GET, the contract route (so logs and metrics name its template), and `If-Match`, checked
/// under a gate per resource against the current representation, read with an internal GET through the
/// same router. Everything it learns goes on the context; every answer, its own included, comes from the
/// router's middleware list, so each is logged, counted and given CORS headers there.
struct PreRoutingResponder<Router: HTTPResponder>: HTTPResponder where Router.Context == MedvirkRequestContext {
    typealias Context = MedvirkRequestContext

    let router: Router
    let routes: RouteTable
    let gates = KeyedGate()

    func respond(to request: Request, context: Context) async throws -> Response {
        var request = request, context = context
        context.requestId = Self.requestId(request.headers[.xRequestID])
        context.route = routes.route(for: request.uri.path)
        context.method = request.method == .head ? "GET" : request.method.rawValue
        context.path = request.uri.path
        context.query = request.uri.query
        if request.method == .head {
            context.isHead = true
            var head = request.head
            head.method = .get
            request = Request(head: head, body: request.body)
        }
        var response: Response
        if [.patch, .put, .delete].contains(request.method), context.route != nil {
            let (dispatched, routed) = (request, context)
            response = try await gates.run(Self.gateKey(request.uri.path)) {
                var context = routed
                context.precondition = try await precondition(dispatched, context)
                return try await router.respond(to: dispatched, context: context)
            }
        } else {
            response = try await router.respond(to: request, context: context)
        }
        response.headers[.xRequestID] = context.requestId
        if response.headers[.cacheControl] == nil { response.headers[.cacheControl] = "private, no-store" }
        if context.isHead { response.body = ResponseBody() }
        return response
    }

    /// Compares `If-Match` with the entity tag a GET of the same path would send now (strong comparison,
    /// RFC 9110 §13.1.1). The GET runs as the same caller and is not logged, counted or rate-limited.
    func precondition(_ request: Request, _ context: Context) async throws -> Precondition {
        guard let ifMatch = request.headers[.ifMatch] else { return .notGiven }
        guard EntityTags.isWellFormed(ifMatch) else {
            return .failed(Problem.badRequest("If-Match must be * or a list of quoted entity tags such as \"1a2b3c\".",
                                              slug: "invalid-precondition", errors: [FieldError("If-Match", "malformed entity tag")]))
        }
        // Without a token the write is a 401 whatever the precondition says.
        guard request.headers[.authorization] != nil else { return .notGiven }
        var head = request.head
        head.method = .get
        for name in [HTTPField.Name.ifMatch, .ifNoneMatch, .contentType, .contentLength, .acceptEncoding] { head.headerFields[name] = nil }
        var probe = context
        probe.isProbe = true
        let current = try await router.respond(to: Request(head: head, body: RequestBody(buffer: ByteBuffer())), context: probe)
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

    /// Echoes a sane `X-Request-Id`, or makes one.
    static func requestId(_ header: String?) -> String {
        if let header, (1...128).contains(header.utf8.count),
           header.utf8.allSatisfy({ $0 > 32 && $0 < 127 && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }) {
            return header
        }
        // 128 random bits in the UUID layout, cheaper than Foundation's UUID on the hot path.
        var random = SystemRandomNumberGenerator()
        let bits: (UInt64, UInt64) = (random.next(), random.next())
        var text: [UInt8] = []
        for (index, digit) in Hex.string(withUnsafeBytes(of: bits) { Array($0) }).utf8.enumerated() {
            if index == 8 || index == 12 || index == 16 || index == 20 { text.append(UInt8(ascii: "-")) }
            text.append(digit)
        }
        return String(decoding: text, as: UTF8.self)
    }
}
