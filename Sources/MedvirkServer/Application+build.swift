import Foundation
import Hummingbird
import Logging
import MedvirkAPI
import MedvirkStore
import OpenAPIHummingbird
import OpenAPIRuntime

/// How `medvirk serve` runs.
public struct ServerConfig: Sendable {
    public enum Address: Sendable {
        case tcp(host: String, port: Int)
        case unixSocket(path: String)
    }

    public var address: Address
    /// Origins allowed to read cross-origin; `*` allows any.
    public var corsOrigins: [String]
    public var maxBodyBytes: Int
    /// The largest file upload (`--max-file-bytes`); JSON bodies keep `maxBodyBytes`.
    public var maxFileBytes = 20 << 20
    /// Seconds before a deadline that the feed announces `consultation.closing_soon` (`--closing-soon-lead`).
    public var closingSoonLead: TimeInterval = Store.defaultClosingSoonLead
    /// How webhooks are delivered (`--webhook-allow-private`, `--webhook-retry-schedule`, …).
    public var webhooks = WebhookSettings()
    /// Where clamd listens (`--clamd`); nil: uploads are not scanned.
    public var clamd: ClamdAddress?
    public var publicMaxAge: Int
    /// Memory for cached anonymous reads; 0 turns the cache off.
    public var cacheBytes: Int
    /// How long a cached read may be served while nothing is written (some fields follow the clock).
    public var cacheSeconds: Double
    /// Requests per minute (and burst) for each API token, and for each client address without one; nil: unlimited.
    public var tokenRateLimit: RateLimit?
    public var addressRateLimit: RateLimit?
    /// Seconds a connection may sit idle, and a request body may take to arrive, before it is dropped.
    public var idleTimeout: Double = 30
    public var bodyTimeout: Double = 30
    public var logLevel: Logger.Level
    /// Peers whose `Forwarded` / `X-Forwarded-For` name the client (`--trusted-proxy`); empty: trust none.
    public var trustedProxies: [AddressRange] = []
    /// The header those proxies write the client into (`--proxy-header`).
    public var proxyHeader = ClientAddressResolver.ProxyHeader.xForwardedFor
    /// Client addresses that may read `/metrics` without an admin token (`--metrics-from`).
    public var metricsFrom: [AddressRange] = AddressRange.loopback
    /// Client addresses are personal data: the access log carries them only when this is on.
    public var logClientAddress = false
    /// Called with a description of every answer whose status the contract does not declare (the tests
    /// collect them and fail); such answers are also logged as errors.
    public var onUndeclaredStatus: (@Sendable (String) -> Void)?
    /// The text of `openapi.yaml`: served at `/openapi.yaml`, and parsed (`ContractDocument`) for the operations'
    /// media types, list pages and which fields may be `null`.
    public var contract: String

    public init(contract: String, address: Address = .tcp(host: "127.0.0.1", port: 8080), corsOrigins: [String] = ["*"],
                maxBodyBytes: Int = 1 << 20, publicMaxAge: Int = 60, cacheBytes: Int = 64 << 20, cacheSeconds: Double = 60,
                logLevel: Logger.Level = .info) {
        self.cacheBytes = cacheBytes
        self.cacheSeconds = cacheSeconds
        self.address = address
        self.corsOrigins = corsOrigins
        self.maxBodyBytes = maxBodyBytes
        self.publicMaxAge = publicMaxAge
        self.logLevel = logLevel
        self.contract = contract
    }
}

/// The request pipeline: each request passes these middlewares in this order, and its answer passes back
/// out through them in reverse; the router, last, only picks the generated endpoint. `PreRoutingResponder`
/// has already set the request id and the contract route on the context; every answer from here on, errors
/// and cache hits included, is logged, counted and given CORS headers.
///
/// The list is one concrete type in front of the router rather than `router.addMiddleware { … }`: Hummingbird
/// calls router middleware through generic wrappers, one per layer, that are not specialised for our
/// context, and the runtime's generic-metadata lookups in every layer made a cached read cost 20–30 % more
/// CPU (Benchmarks/README.md); in front of the router, a cache hit never enters it.
struct RequestPipeline: RouterMiddleware {
    typealias Context = MedvirkRequestContext
    let log: RequestLogMiddleware
    let metrics: MetricsMiddleware
    let crossOrigin: CrossOriginMiddleware
    let problems: ProblemMiddleware
    let routeCheck: RouteCheckMiddleware
    let addressLimit: AddressRateLimitMiddleware
    let revalidation: RevalidationMiddleware
    let publicCache: PublicCacheMiddleware
    let auth: BearerAuthMiddleware
    let body: RequestBodyMiddleware
    let conditionalWrite: ConditionalWriteMiddleware
    let representation: RepresentationMiddleware
    let handlerContext: OpenAPIRequestContextMiddleware

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        try await log.handle(request, context: context) { request, context in
        try await metrics.handle(request, context: context) { request, context in
        try await crossOrigin.handle(request, context: context) { request, context in
        try await problems.handle(request, context: context) { request, context in
        try await routeCheck.handle(request, context: context) { request, context in
        try await addressLimit.handle(request, context: context) { request, context in
        try await revalidation.handle(request, context: context) { request, context in
        try await publicCache.handle(request, context: context) { request, context in
        try await auth.handle(request, context: context) { request, context in
        try await body.handle(request, context: context) { request, context in
        try await conditionalWrite.handle(request, context: context) { request, context in
        try await representation.handle(request, context: context) { request, context in
        try await handlerContext.handle(request, context: context, next: next)
        }}}}}}}}}}}}
    }
}

/// The pipeline, then the router.
struct PipelineResponder: HTTPResponder {
    typealias Context = MedvirkRequestContext
    let pipeline: RequestPipeline
    let router: RouterResponder<MedvirkRequestContext>

    func respond(to request: Request, context: Context) async throws -> Response {
        try await pipeline.handle(request, context: context) { request, context in
            try await router.respond(to: request, context: context)
        }
    }
}

/// The middleware list, and the router with the generated handlers (the route table recorded as they register).
func buildPipeline(store: Store, config: ServerConfig, contract: ContractDocument, metrics: ServiceMetrics,
                   cache: ResponseCache, built: BuiltRouter, usage: TokenUsageRecorder) throws -> (PipelineResponder, RouteTable) {
    let limiter = RateLimiter(perToken: config.tokenRateLimit, perAddress: config.addressRateLimit)
    let pipeline = RequestPipeline(
        log: RequestLogMiddleware(level: .info, logClientAddress: config.logClientAddress, onUndeclaredStatus: config.onUndeclaredStatus),
        metrics: MetricsMiddleware(metrics: metrics),
        crossOrigin: CrossOriginMiddleware(allowed: config.corsOrigins),
        problems: ProblemMiddleware(),
        routeCheck: RouteCheckMiddleware(query: QueryPolicy(contract: contract)),
        addressLimit: AddressRateLimitMiddleware(limiter: limiter, clock: store.clock),
        revalidation: RevalidationMiddleware(),
        publicCache: PublicCacheMiddleware(cache: cache, store: store, metrics: metrics),
        auth: BearerAuthMiddleware(store: store, limiter: limiter, usage: usage),
        body: RequestBodyMiddleware(maxBytes: config.maxBodyBytes, timeout: config.bodyTimeout, policy: BodyPolicy(contract: contract)),
        conditionalWrite: ConditionalWriteMiddleware(router: built),
        representation: RepresentationMiddleware(publicMaxAge: config.publicMaxAge),
        handlerContext: OpenAPIRequestContextMiddleware())
    let router = Router(context: MedvirkRequestContext.self)
    let uploads = UploadReceiver(store: store, detector: try MediaTypeDetector(), scanner: ClamdScanner(address: config.clamd),
                                 maxBytes: config.maxFileBytes)
    let handlers = APIHandlers(store: store, contract: config.contract, metrics: metrics, cache: cache, maxBodyBytes: config.maxBodyBytes,
                               metricsFrom: config.metricsFrom, uploads: uploads, webhookPolicy: config.webhooks.policy)
    let recorder = RouteRecorder(router: router)
    try handlers.registerHandlers(
        on: recorder, serverURL: Servers.Server1.url(),
        configuration: Configuration(dateTranscoder: WholeSecondsDateTranscoder(), jsonEncodingOptions: [.sortedKeys, .withoutEscapingSlashes]),
        middlewares: [LiteralHeaderValues()])
    return (PipelineResponder(pipeline: pipeline, router: router.buildResponder()), RouteTable(registered: recorder.registered, contract: contract))
}

/// Everything that answers requests: the pre-routing responder in front of the pipeline and the router.
func buildResponder(store: Store, config: ServerConfig, usage: TokenUsageRecorder,
                    metrics: ServiceMetrics = ServiceMetrics()) throws -> PreRoutingResponder<PipelineResponder> {
    store.onSubmissionBatch { size in metrics.batch(size) }
    let cache = ResponseCache(budget: config.cacheBytes, lifetime: config.cacheSeconds)
    let contract = try ContractDocument.parse(config.contract)
    let built = BuiltRouter()
    let (pipeline, routes) = try buildPipeline(store: store, config: config, contract: contract, metrics: metrics, cache: cache, built: built,
                                             usage: usage)
    let responder = PreRoutingResponder(next: pipeline, routes: routes, clients: ClientAddressResolver(trustedProxies: config.trustedProxies, header: config.proxyHeader))
    built.set(pipeline)
    return responder
}

/// The whole service, ready to run or to test: the HTTP server and the background services (the scheduler,
/// the token-use recorder, the webhook dispatcher) in one service group. On SIGTERM the server stops taking requests and finishes
/// those in flight (their group commits with them), then the background services finish their work, in
/// that order. Throws when the contract cannot be read.
public func buildApplication(store: Store, config: ServerConfig, logger: Logger? = nil) throws -> some ApplicationProtocol {
    var store = store
    store.closingSoonLead = config.closingSoonLead
    var logger = logger ?? Logger(label: "medvirk")
    logger.logLevel = config.logLevel
    let scheduler = Scheduler(store: store, logger: logger)
    for job in store.timedJobs { scheduler.register(job) }
    let usage = TokenUsageRecorder(store: store, logger: logger)
    let metrics = ServiceMetrics()
    let webhooks = WebhookDispatcher(store: store, settings: config.webhooks, metrics: metrics, logger: logger)
    let responder = try buildResponder(store: store, config: config, usage: usage, metrics: metrics)
    let address: BindAddress = switch config.address {
    case .tcp(let host, let port): .hostname(host, port: port)
    case .unixSocket(let path): .unixDomainSocket(path: path)
    }
    return Application(
        responder: responder,
        server: .http1(configuration: .init(idleTimeout: .milliseconds(Int64(config.idleTimeout * 1000)))),
        configuration: ApplicationConfiguration(address: address, serverName: "medvirk"),
        services: [scheduler, usage, webhooks],
        logger: logger)
}
