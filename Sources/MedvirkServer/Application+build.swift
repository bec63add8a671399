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
    /// The text of `openapi.yaml`, served at `/openapi.yaml` and read for the 405 route table.
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

/// The router: CORS for public reads, problem rendering, and the generated handlers.
func buildRouter(store: Store, config: ServerConfig, metrics: ServiceMetrics, cache: ResponseCache) throws -> Router<MedvirkRequestContext> {
    let router = Router(context: MedvirkRequestContext.self)
    router.middlewares.add(LogRequestsMiddleware(.info))
    router.middlewares.add(OriginFilterMiddleware(allowed: config.corsOrigins))
    router.middlewares.add(CORSMiddleware(
        allowOrigin: config.corsOrigins.contains("*") ? .all : .originBased,
        allowHeaders: [.accept, .ifNoneMatch, .xRequestID],
        allowMethods: [.get, .head, .options],
        exposedHeaders: ["ETag", "Link", "X-Request-Id", "Location"],
        maxAge: .seconds(3600)))
    router.middlewares.add(ProblemMiddleware())
    let handlers = APIHandlers(store: store, contract: config.contract, metrics: metrics, cache: cache)
    try handlers.registerHandlers(
        on: router, serverURL: Servers.Server1.url(),
        configuration: Configuration(jsonEncodingOptions: [.sortedKeys, .withoutEscapingSlashes]))
    return router
}

/// The whole service, ready to run or to test.
public func buildApplication(store: Store, config: ServerConfig, logger: Logger? = nil) throws -> some ApplicationProtocol {
    var logger = logger ?? Logger(label: "medvirk")
    logger.logLevel = config.logLevel
    let metrics = ServiceMetrics()
    store.onSubmissionBatch { size in metrics.batch(size) }
    let cache = ResponseCache(budget: config.cacheBytes, lifetime: config.cacheSeconds)
    let router = try buildRouter(store: store, config: config, metrics: metrics, cache: cache)
    let routes = RouteTable(contract: config.contract)
    let responder = FrontResponder(router: router.buildResponder(), routes: routes,
                                   nulls: NullPolicy(contract: config.contract), store: store, maxBodyBytes: config.maxBodyBytes,
                                   publicMaxAge: config.publicMaxAge, cache: cache, metrics: metrics,
                                   limiter: RateLimiter(perToken: config.tokenRateLimit, perAddress: config.addressRateLimit),
                                   bodyTimeout: config.bodyTimeout)
    let address: BindAddress = switch config.address {
    case .tcp(let host, let port): .hostname(host, port: port)
    case .unixSocket(let path): .unixDomainSocket(path: path)
    }
    return Application(
        responder: responder,
        server: .http1(configuration: .init(idleTimeout: .milliseconds(Int64(config.idleTimeout * 1000)))),
        configuration: ApplicationConfiguration(address: address, serverName: "medvirk"),
        logger: logger)
}
