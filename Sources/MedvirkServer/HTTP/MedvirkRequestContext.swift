import Hummingbird
import MedvirkCore
import NIOCore

/// The request context: Hummingbird's basics plus everything the pipeline learns about a request before
/// its handler runs. These are inputs only: each middleware sets what it found for the ones after it, and
/// handlers read the finished context through `MedvirkRequestContext.current` (as the Hummingbird template's
/// `OpenAPIRequestContextMiddleware` does). Outputs travel in the handlers' typed `Output`.
public struct MedvirkRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?

    /// The `X-Request-Id` echoed on the response and written to logs and the audit trail.
    public var requestId = ""
    /// The contract route the path matches, set before routing; nil for paths outside the contract.
    var route: RouteTable.Route?
    /// The request's method (GET for HEAD), path and query as received, for the audit trail and for `Link`
    /// headers that repeat the query with another cursor.
    var method = ""
    var path = ""
    var query: String?
    /// Who is calling, set by `BearerAuthMiddleware`.
    public var principal: Principal = .anonymous
    /// The `charset` parameter of the request's `Content-Type`, lowercased, for text bodies (CSV imports).
    var charset: String?
    /// A streamed upload's `Content-Type` and `Content-Length`, for its handler (the generated input has no
    /// place for them).
    var declaredType: String?
    var declaredLength: Int?
    /// A PATCH body parsed as JSON, kept apart from the decoded input so `null` (remove) differs from absent.
    var mergePatch: JSONValue?
    /// What `If-Match` said about the current representation, set by `ConditionalWriteMiddleware`.
    var precondition: Precondition = .notGiven
    /// True when the client sent HEAD, answered as GET without the body (the router has GET routes only).
    var isHead = false
    /// True for the internal GET that reads the current entity tag for `If-Match`: not logged, counted or limited.
    var isProbe = false

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
        clientAddress = ClientAddressResolver.peer(remoteAddress)
    }

    /// The client's IP address (`unix` for a peer on the Unix socket): the peer, or behind a trusted proxy
    /// the address it forwarded (see `ClientAddressResolver`). Rate limits and `--metrics-from` use it;
    /// it is personal data, so logs carry it only with `--log-client-address`.
    var clientAddress = "unix"

    /// A probe or `/metrics`, which must be live: never cached, never rate limited. Judged by the route
    /// template, so `/metrics/` and `//metrics`, which the router answers too, count as well.
    var isLivePath: Bool { ResponseCache.livePaths.contains(route?.template ?? path) }

    /// The context of the request being handled; nil when a handler is called directly (as in a unit test),
    /// which then acts for an anonymous caller.
    @TaskLocal static var current: MedvirkRequestContext?
}

/// The outcome of comparing `If-Match` with the current entity tag (RFC 9110 §13.1.1).
indirect enum Precondition: Sendable {
    /// No `If-Match`: the write goes ahead.
    case notGiven
    case matched
    /// Raised by the handler once the body has proved valid, so a malformed body is a 400/422 either way.
    case failed(Problem)
}

/// Hands the finished context to the generated handlers, which have no context parameter. Last in the list,
/// so every middleware's findings are in it.
struct OpenAPIRequestContextMiddleware: RouterMiddleware {
    typealias Context = MedvirkRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        try await MedvirkRequestContext.$current.withValue(context) {
            try await next(request, context)
        }
    }
}
