import ArgumentParser
import Foundation
import Hummingbird
import Logging
import MedvirkServer
import MedvirkStore
import NIOCore

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Serve the HTTP API (applies pending migrations first).")

    @OptionGroup var database: DatabaseOptions

    @Option(help: "Address to listen on (env MEDVIRK_HOST; default 127.0.0.1).")
    var host: String?

    @Option(help: "TCP port (env MEDVIRK_PORT; default 8080).")
    var port: Int?

    @Option(name: .customLong("unix-socket"), help: "Listen on this Unix domain socket instead of TCP (env MEDVIRK_UNIX_SOCKET).")
    var unixSocket: String?

    @Flag(help: "Load demo data into an empty database (env MEDVIRK_DEMO=1).")
    var demo = false

    @Option(name: .customLong("cors-origin"), help: "Origin allowed to read cross-origin; repeatable (env MEDVIRK_CORS_ORIGINS, comma-separated; default *).")
    var corsOrigins: [String] = []

    @Option(help: "The OpenAPI contract to serve (env MEDVIRK_CONTRACT; default ./openapi.yaml or the installed copy).")
    var contract: String?

    @Option(name: .customLong("cache-bytes"), help: "Memory for cached anonymous reads; 0 turns the cache off (env MEDVIRK_CACHE_BYTES; default 67108864).")
    var cacheBytes: Int?

    @Option(name: .customLong("address-rate-limit"), help: "Requests a minute per client address without a token, bursts of a quarter; 0: unlimited (env MEDVIRK_ADDRESS_RATE_LIMIT; default 1200).")
    var addressRateLimit: Int?

    @Option(name: .customLong("token-rate-limit"), help: "Requests a minute per API token, bursts of a quarter; 0: unlimited (env MEDVIRK_TOKEN_RATE_LIMIT; default 6000).")
    var tokenRateLimit: Int?

    @Option(name: .customLong("idle-timeout"), help: "Seconds before an idle connection, or a request body still arriving, is dropped (env MEDVIRK_IDLE_TIMEOUT; default 30).")
    var idleTimeout: Double?

    @Option(name: .customLong("trusted-proxy"), help: "Peer address range (CIDR, or 'unix' for the Unix socket) of a reverse proxy whose Forwarded/X-Forwarded-For names the client; repeatable (env MEDVIRK_TRUSTED_PROXIES, comma-separated; default none).")
    var trustedProxies: [String] = []

    @Option(name: .customLong("proxy-header"), help: "The header the trusted proxies write the client into: x-forwarded-for or forwarded (RFC 7239); the other is ignored (env MEDVIRK_PROXY_HEADER; default x-forwarded-for).")
    var proxyHeader: String?

    @Option(name: .customLong("metrics-from"), help: "Client address range (CIDR, or 'unix') that may read /metrics without an admin token; repeatable (env MEDVIRK_METRICS_FROM, comma-separated; default 127.0.0.0/8,::1/128).")
    var metricsFrom: [String] = []

    @Flag(name: .customLong("log-client-address"), help: "Write client addresses, which are personal data, to the access log (env MEDVIRK_LOG_CLIENT_ADDRESS=1; default off).")
    var logClientAddress = false

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical (env MEDVIRK_LOG_LEVEL; default info).")
    var logLevel: String?

    func run() async throws {
        let levelName = logLevel ?? Environment.value("MEDVIRK_LOG_LEVEL") ?? "info"
        guard let level = Logger.Level(rawValue: levelName) else { fail("unknown log level '\(levelName)'") }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "medvirk")

        let store = try database.open(ifMissing: .create)
        if demo || Environment.value("MEDVIRK_DEMO") == "1" {
            if try await store.loadDemo() {
                logger.info("loaded demo data")
            } else {
                logger.notice("database is not empty; demo data not loaded")
            }
        }

        let contractFile = shippedFile("openapi.yaml", explicit: contract ?? Environment.value("MEDVIRK_CONTRACT"))
        guard let contractText = try? String(contentsOf: contractFile, encoding: .utf8) else {
            fail("cannot read the contract at \(contractFile.path); pass --contract")
        }
        var config = ServerConfig(contract: contractText, logLevel: level)
        if let socket = unixSocket ?? Environment.value("MEDVIRK_UNIX_SOCKET") {
            // A socket file left by a server that is gone is replaced; one a live server answers on is not.
            if UnixSocket.isAnswering(socket) {
                fail("the Unix socket \(socket) is in use by a running server; stop it or choose another path with --unix-socket")
            }
            try? FileManager.default.removeItem(atPath: socket)
            config.address = .unixSocket(path: socket)
        } else {
            let port = port ?? Environment.value("MEDVIRK_PORT").flatMap(Int.init) ?? 8080
            guard (0...65535).contains(port) else { fail("port must be between 0 and 65535") }
            config.address = .tcp(host: host ?? Environment.value("MEDVIRK_HOST") ?? "127.0.0.1", port: port)
        }
        let origins = corsOrigins.isEmpty
            ? (Environment.value("MEDVIRK_CORS_ORIGINS")?.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } ?? ["*"])
            : corsOrigins
        config.corsOrigins = origins
        config.addressRateLimit = rateLimit(addressRateLimit ?? Environment.value("MEDVIRK_ADDRESS_RATE_LIMIT").flatMap(Int.init) ?? 1200)
        config.tokenRateLimit = rateLimit(tokenRateLimit ?? Environment.value("MEDVIRK_TOKEN_RATE_LIMIT").flatMap(Int.init) ?? 6000)
        let timeout = idleTimeout ?? Environment.value("MEDVIRK_IDLE_TIMEOUT").flatMap(Double.init) ?? 30
        guard timeout > 0 else { fail("the idle timeout must be more than 0 seconds") }
        config.idleTimeout = timeout
        config.bodyTimeout = timeout
        if let bytes = cacheBytes ?? Environment.value("MEDVIRK_CACHE_BYTES").flatMap(Int.init) {
            guard bytes >= 0 else { fail("cache bytes must be 0 or more") }
            config.cacheBytes = bytes
        }

        config.trustedProxies = ranges("--trusted-proxy", trustedProxies, env: "MEDVIRK_TRUSTED_PROXIES") ?? []
        let header = proxyHeader ?? Environment.value("MEDVIRK_PROXY_HEADER") ?? "x-forwarded-for"
        guard let parsedHeader = ClientAddressResolver.ProxyHeader(rawValue: header.lowercased()) else {
            fail("--proxy-header must be x-forwarded-for or forwarded, not '\(header)'")
        }
        config.proxyHeader = parsedHeader
        config.metricsFrom = ranges("--metrics-from", metricsFrom, env: "MEDVIRK_METRICS_FROM") ?? AddressRange.loopback
        config.logClientAddress = logClientAddress || Environment.value("MEDVIRK_LOG_CLIENT_ADDRESS") == "1"

        let app = try buildApplication(store: store, config: config, logger: logger)
        // Runs until SIGTERM or SIGINT; in-flight requests finish first.
        do {
            try await app.runService()
        } catch let error as IOError where error.errnoCode == EADDRINUSE {
            if case .tcp(let host, let port) = config.address {
                fail("port \(port) on \(host) is already in use (another medvirk?); stop that process or choose another port with --port")
            }
            fail("the socket is already in use: \(error)")
        }
        try store.close()
        logger.info("stopped; database closed")
    }

    /// Address ranges from the repeated option, else the environment variable; nil when neither is given.
    func ranges(_ option: String, _ given: [String], env: String) -> [AddressRange]? {
        guard let text = given.isEmpty ? Environment.value(env) : given.joined(separator: ",") else { return nil }
        let (ranges, bad) = AddressRange.list(text)
        if let bad { fail("\(option): '\(bad)' is not an address range (CIDR such as 10.0.0.0/8 or 2001:db8::/32, an address, or unix)") }
        return ranges
    }

    /// `perMinute` requests a minute in bursts of a quarter of that; 0 or less is unlimited.
    func rateLimit(_ perMinute: Int) -> RateLimit? {
        perMinute > 0 ? RateLimit(perMinute: perMinute, burst: max(10, perMinute / 4)) : nil
    }
}

/// Whether something listens on a Unix domain socket path: a `connect(2)` that succeeds.
enum UnixSocket {
    static func isAnswering(_ path: String) -> Bool {
        guard FileManager.default.fileExists(atPath: path) else { return false }
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in bytes.enumerated() { raw[index] = byte }
        }
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) == 0 }
        }
    }
}
