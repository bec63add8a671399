import Foundation
import ArgumentParser

/// One `medvirk serve` setting, declared once: its long option, its environment variable, its default as
/// people read it, and its help. The option's `--help` text, the README's options table (checked by
/// `ServeSettingsTests`) and the value `serve` runs with all come from here.
struct ServeSetting: Sendable {
    /// The long option without its dashes.
    let name: String
    /// The environment variable read when the option is not given (a flag is on when it is `1`).
    let env: String
    /// The default, as `--help` and the README print it.
    let defaultText: String
    let help: String
    /// Repeatable options read their variable as a comma-separated list.
    var repeatable = false

    /// What `--help` prints for it.
    var helpLine: ArgumentHelp {
        let variable = repeatable ? "\(env), comma-separated" : (defaultText == "off" ? "\(env)=1" : env)
        return ArgumentHelp("\(help) (env \(variable); default \(defaultText))")
    }
}

/// Every `serve` setting, in the order the README lists them.
enum ServeSettings {
    static let host = ServeSetting(name: "host", env: "MEDVIRK_HOST", defaultText: "127.0.0.1", help: "Address to listen on.")
    static let port = ServeSetting(name: "port", env: "MEDVIRK_PORT", defaultText: "8080", help: "TCP port.")
    static let unixSocket = ServeSetting(name: "unix-socket", env: "MEDVIRK_UNIX_SOCKET", defaultText: "(TCP)",
                                         help: "Listen on this Unix domain socket instead of TCP.")
    static let db = ServeSetting(name: "db", env: "MEDVIRK_DB", defaultText: "./medvirk.sqlite", help: "SQLite database file.")
    static let demo = ServeSetting(name: "demo", env: "MEDVIRK_DEMO", defaultText: "off", help: "Load demo data into an empty database.")
    static let corsOrigin = ServeSetting(name: "cors-origin", env: "MEDVIRK_CORS_ORIGINS", defaultText: "*",
                                         help: "Origin allowed to read cross-origin; repeatable.", repeatable: true)
    static let logLevel = ServeSetting(name: "log-level", env: "MEDVIRK_LOG_LEVEL", defaultText: "info",
                                       help: "trace, debug, info, notice, warning, error or critical.")
    static let cacheBytes = ServeSetting(name: "cache-bytes", env: "MEDVIRK_CACHE_BYTES", defaultText: "67108864",
                                         help: "Memory for cached anonymous reads; 0 turns the cache off.")
    static let addressRateLimit = ServeSetting(name: "address-rate-limit", env: "MEDVIRK_ADDRESS_RATE_LIMIT", defaultText: "1200",
                                               help: "Requests a minute per client address without a token, bursts of a quarter; 0: unlimited.")
    static let tokenRateLimit = ServeSetting(name: "token-rate-limit", env: "MEDVIRK_TOKEN_RATE_LIMIT", defaultText: "6000",
                                             help: "Requests a minute per API token, bursts of a quarter; 0: unlimited.")
    static let trustedProxy = ServeSetting(
        name: "trusted-proxy", env: "MEDVIRK_TRUSTED_PROXIES", defaultText: "none",
        help: "Peer address range (CIDR, or 'unix' for the Unix socket) of a reverse proxy whose Forwarded/X-Forwarded-For names the client; repeatable.",
        repeatable: true)
    static let proxyHeader = ServeSetting(
        name: "proxy-header", env: "MEDVIRK_PROXY_HEADER", defaultText: "x-forwarded-for",
        help: "The header the trusted proxies write the client into: x-forwarded-for or forwarded (RFC 7239); the other is ignored.")
    static let metricsFrom = ServeSetting(
        name: "metrics-from", env: "MEDVIRK_METRICS_FROM", defaultText: "127.0.0.0/8,::1/128",
        help: "Client address range (CIDR, or 'unix') that may read /metrics without an admin token; repeatable.", repeatable: true)
    static let logClientAddress = ServeSetting(name: "log-client-address", env: "MEDVIRK_LOG_CLIENT_ADDRESS", defaultText: "off",
                                               help: "Write client addresses, which are personal data, to the access log.")
    static let idleTimeout = ServeSetting(
        name: "idle-timeout", env: "MEDVIRK_IDLE_TIMEOUT", defaultText: "30",
        help: "Seconds before an idle connection, a stalled request body, or a whole request body that trickles in is dropped (408).")
    static let maxFileBytes = ServeSetting(name: "max-file-bytes", env: "MEDVIRK_MAX_FILE_BYTES", defaultText: "20971520",
                                           help: "Largest file upload, in bytes (413 over it); JSON bodies keep their 1 MiB limit.")
    static let closingSoonLead = ServeSetting(
        name: "closing-soon-lead", env: "MEDVIRK_CLOSING_SOON_LEAD", defaultText: "259200",
        help: "Seconds before a consultation's deadline that the change feed announces consultation.closing_soon (once).")
    static let webhookAllowPrivate = ServeSetting(
        name: "webhook-allow-private", env: "MEDVIRK_WEBHOOK_ALLOW_PRIVATE", defaultText: "off",
        help: "Let webhooks go to loopback and private addresses, and over http:// (on-premises receivers, tests); off: https:// to public addresses only.")
    static let webhookRetrySchedule = ServeSetting(
        name: "webhook-retry-schedule", env: "MEDVIRK_WEBHOOK_RETRY_SCHEDULE", defaultText: "5s,5m,30m,2h,5h,10h,10h",
        help: "Waits between a webhook delivery's attempts (s, m, h; 1 to 20 waits, each at most 24h), each lengthened by up to 20 % at random.")
    static let webhookDisableAfter = ServeSetting(
        name: "webhook-disable-after", env: "MEDVIRK_WEBHOOK_DISABLE_AFTER", defaultText: "259200",
        help: "Seconds of nothing but failed delivery attempts after which a webhook subscription is disabled.")
    static let clamd = ServeSetting(
        name: "clamd", env: "MEDVIRK_CLAMD", defaultText: "none",
        help: "Scan every upload with ClamAV: unix:/path/to/clamd.sock or tcp:host:port (a hit is a 422, clamd unreachable a 503); none or off: no scanning.")
    static let migrations = ServeSetting(
        name: "migrations", env: "MEDVIRK_MIGRATIONS", defaultText: "./Migrations, else beside the binary, else /usr/share/medvirk/Migrations",
        help: "Folder of NNNN_description.sql migrations.")
    static let contract = ServeSetting(
        name: "contract", env: "MEDVIRK_CONTRACT", defaultText: "./openapi.yaml, else beside the binary, else /usr/share/medvirk/openapi.yaml",
        help: "The OpenAPI contract to serve.")

    static let all = [host, port, unixSocket, db, demo, corsOrigin, logLevel, cacheBytes, addressRateLimit, tokenRateLimit,
                      trustedProxy, proxyHeader, metricsFrom, logClientAddress, idleTimeout, maxFileBytes, closingSoonLead,
                      webhookAllowPrivate, webhookRetrySchedule, webhookDisableAfter, clamd, migrations, contract]
}

extension ServeSetting {
    /// The option's value if given, else the environment variable's, else nil.
    func text(_ given: String?) -> String? { given ?? Environment.value(env) }

    /// A repeatable option's values if given, else the variable's comma-separated list, else nil.
    func list(_ given: [String]) -> [String]? {
        if !given.isEmpty { return given }
        return Environment.value(env).map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
    }

    /// A flag given, or its variable set to 1; a variable set to anything but 0 or 1 stops the server.
    func isOn(_ given: Bool) -> Bool {
        if given { return true }
        switch Environment.value(env) {
        case nil, "0": return false
        case "1": return true
        case let other?: fail("\(env)='\(other)' must be 1 (on) or 0 (off) (--\(name))")
        }
    }

    /// A number from the option, else the variable, else the default; a variable that is not a number stops
    /// the server with a message naming it.
    func number<N: LosslessStringConvertible>(_ given: N?) -> N {
        if let given { return given }
        guard let text = Environment.value(env) else { return N(defaultText)! }
        guard let value = N(text.trimmingCharacters(in: .whitespaces)) else { fail("\(env)='\(text)' is not a number (--\(name))") }
        return value
    }
}
