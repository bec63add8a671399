import ArgumentParser
import Foundation
import Hummingbird
import Logging
import MedvirkCore
import MedvirkServer
import MedvirkStore
import NIOCore

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Serve the HTTP API (applies pending migrations first).")

    @OptionGroup var database: DatabaseOptions

    // Each option's name, variable, default and help are declared once, in `ServeSettings`.
    @Option(name: .customLong(ServeSettings.host.name), help: ServeSettings.host.helpLine)
    var host: String?

    @Option(name: .customLong(ServeSettings.port.name), help: ServeSettings.port.helpLine)
    var port: Int?

    @Option(name: .customLong(ServeSettings.unixSocket.name), help: ServeSettings.unixSocket.helpLine)
    var unixSocket: String?

    @Flag(name: .customLong(ServeSettings.demo.name), help: ServeSettings.demo.helpLine)
    var demo = false

    @Option(name: .customLong(ServeSettings.corsOrigin.name), help: ServeSettings.corsOrigin.helpLine)
    var corsOrigins: [String] = []

    @Option(name: .customLong(ServeSettings.contract.name), help: ServeSettings.contract.helpLine)
    var contract: String?

    @Option(name: .customLong(ServeSettings.cacheBytes.name), help: ServeSettings.cacheBytes.helpLine)
    var cacheBytes: Int?

    @Option(name: .customLong(ServeSettings.addressRateLimit.name), help: ServeSettings.addressRateLimit.helpLine)
    var addressRateLimit: Int?

    @Option(name: .customLong(ServeSettings.tokenRateLimit.name), help: ServeSettings.tokenRateLimit.helpLine)
    var tokenRateLimit: Int?

    @Option(name: .customLong(ServeSettings.idleTimeout.name), help: ServeSettings.idleTimeout.helpLine)
    var idleTimeout: Double?

    @Option(name: .customLong(ServeSettings.trustedProxy.name), help: ServeSettings.trustedProxy.helpLine)
    var trustedProxies: [String] = []

    @Option(name: .customLong(ServeSettings.proxyHeader.name), help: ServeSettings.proxyHeader.helpLine)
    var proxyHeader: String?

    @Option(name: .customLong(ServeSettings.metricsFrom.name), help: ServeSettings.metricsFrom.helpLine)
    var metricsFrom: [String] = []

    @Flag(name: .customLong(ServeSettings.logClientAddress.name), help: ServeSettings.logClientAddress.helpLine)
    var logClientAddress = false

    @Option(name: .customLong(ServeSettings.maxFileBytes.name), help: ServeSettings.maxFileBytes.helpLine)
    var maxFileBytes: Int?

    @Option(name: .customLong(ServeSettings.closingSoonLead.name), help: ServeSettings.closingSoonLead.helpLine)
    var closingSoonLead: Int?

    @Flag(name: .customLong(ServeSettings.webhookAllowPrivate.name), help: ServeSettings.webhookAllowPrivate.helpLine)
    var webhookAllowPrivate = false

    @Option(name: .customLong(ServeSettings.webhookRetrySchedule.name), help: ServeSettings.webhookRetrySchedule.helpLine)
    var webhookRetrySchedule: String?

    @Option(name: .customLong(ServeSettings.webhookDisableAfter.name), help: ServeSettings.webhookDisableAfter.helpLine)
    var webhookDisableAfter: Int?

    @Option(name: .customLong(ServeSettings.clamd.name), help: ServeSettings.clamd.helpLine)
    var clamd: String?

    @Option(name: .customLong(ServeSettings.logLevel.name), help: ServeSettings.logLevel.helpLine)
    var logLevel: String?

    func run() async throws {
        let settings = ServeSettings.self
        let levelName = settings.logLevel.text(logLevel) ?? settings.logLevel.defaultText
        guard let level = Logger.Level(rawValue: levelName) else { fail("unknown log level '\(levelName)'") }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "medvirk")

        let contractFile = shippedFile("openapi.yaml", explicit: settings.contract.text(contract))
        guard let contractText = try? String(contentsOf: contractFile, encoding: .utf8) else {
            fail("cannot read the contract at \(contractFile.path); pass --contract")
        }
        var config = ServerConfig(contract: contractText, logLevel: level)
        if let socket = settings.unixSocket.text(unixSocket) {
            // A socket file left by a server that is gone is replaced; one a live server answers on is not.
            if UnixSocket.isAnswering(socket) {
                fail("the Unix socket \(socket) is in use by a running server; stop it or choose another path with --unix-socket")
            }
            try? FileManager.default.removeItem(atPath: socket)
            config.address = .unixSocket(path: socket)
        } else {
            let port = settings.port.number(port)
            guard (0...65535).contains(port) else { fail("port must be between 0 and 65535") }
            config.address = .tcp(host: settings.host.text(host) ?? settings.host.defaultText, port: port)
        }
        config.corsOrigins = settings.corsOrigin.list(corsOrigins) ?? [settings.corsOrigin.defaultText]
        config.addressRateLimit = rateLimit(settings.addressRateLimit.number(addressRateLimit), settings.addressRateLimit)
        config.tokenRateLimit = rateLimit(settings.tokenRateLimit.number(tokenRateLimit), settings.tokenRateLimit)
        let timeout = settings.idleTimeout.number(idleTimeout)
        guard timeout > 0, timeout <= 86_400 else { fail("--idle-timeout must be more than 0 and at most 86400 seconds, not \(timeout)") }
        config.idleTimeout = timeout
        config.bodyTimeout = timeout
        let bytes = settings.cacheBytes.number(cacheBytes)
        guard bytes >= 0 else { fail("cache bytes must be 0 or more") }
        config.cacheBytes = bytes
        let fileBytes = settings.maxFileBytes.number(maxFileBytes)
        guard fileBytes >= 1, fileBytes <= 1 << 30 else { fail("--max-file-bytes must be 1 to 1073741824 bytes, not \(fileBytes)") }
        config.maxFileBytes = fileBytes
        let lead = settings.closingSoonLead.number(closingSoonLead)
        guard lead >= 0, lead <= 90 * 86_400 else { fail("--closing-soon-lead must be 0 to 7776000 seconds (90 days), not \(lead)") }
        config.closingSoonLead = TimeInterval(lead)
        config.webhooks.allowPrivate = settings.webhookAllowPrivate.isOn(webhookAllowPrivate)
        let scheduleText = settings.webhookRetrySchedule.text(webhookRetrySchedule) ?? settings.webhookRetrySchedule.defaultText
        guard let schedule = RetrySchedule(parsing: scheduleText) else {
            fail("--webhook-retry-schedule must be 1 to 20 comma-separated waits such as 5s,5m,2h (s, m, h; each at most 24h), not '\(scheduleText)'")
        }
        config.webhooks.schedule = schedule
        let disableAfter = settings.webhookDisableAfter.number(webhookDisableAfter)
        guard disableAfter >= 1, disableAfter <= 90 * 86_400 else { fail("--webhook-disable-after must be 1 to 7776000 seconds (90 days), not \(disableAfter)") }
        config.webhooks.disableAfter = TimeInterval(disableAfter)
        if let address = settings.clamd.text(clamd), address != "none", address != "off" {
            guard let parsed = ClamdAddress(address) else {
                fail("--clamd must be unix:/path/to/clamd.sock or tcp:host:port, not '\(address)'")
            }
            config.clamd = parsed
        }

        config.trustedProxies = ranges(settings.trustedProxy, trustedProxies) ?? []
        let header = settings.proxyHeader.text(proxyHeader) ?? settings.proxyHeader.defaultText
        guard let parsedHeader = ClientAddressResolver.ProxyHeader(rawValue: header.lowercased()) else {
            fail("--proxy-header must be x-forwarded-for or forwarded, not '\(header)'")
        }
        config.proxyHeader = parsedHeader
        config.metricsFrom = ranges(settings.metricsFrom, metricsFrom) ?? AddressRange.list(settings.metricsFrom.defaultText).0
        config.logClientAddress = settings.logClientAddress.isOn(logClientAddress)
        let loadDemo = settings.demo.isOn(demo)

        // The database is opened (and created) only once every setting is known to be good.
        let store = try database.open(ifMissing: .create)
        if loadDemo {
            if try await store.loadDemo(renderMemo: renderHearingMemo) {
                logger.info("loaded demo data")
            } else {
                logger.notice("database is not empty; demo data not loaded")
            }
        }
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
    func ranges(_ setting: ServeSetting, _ given: [String]) -> [AddressRange]? {
        guard let list = setting.list(given) else { return nil }
        let (ranges, bad) = AddressRange.list(list.joined(separator: ","))
        if let bad { fail("--\(setting.name): '\(bad)' is not an address range (CIDR such as 10.0.0.0/8 or 2001:db8::/32, an address, or unix)") }
        return ranges
    }

    /// `perMinute` requests a minute in bursts of a quarter of that; 0 is unlimited, less than 0 is refused.
    func rateLimit(_ perMinute: Int, _ setting: ServeSetting) -> RateLimit? {
        guard perMinute >= 0 else { fail("--\(setting.name) must be 0 (unlimited) or more, not \(perMinute)") }
        return perMinute > 0 ? RateLimit(perMinute: perMinute, burst: max(10, perMinute / 4)) : nil
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
