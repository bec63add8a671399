import Foundation
import MedvirkCore
import NIOPosix
#if canImport(Glibc)
import Glibc
#endif

/// Turns a host name into the IP addresses it resolves to. Injectable (`ServerConfig.webhookResolver`) so
/// tests can make a name resolve to any address without DNS.
public protocol HostResolver: Sendable {
    /// The addresses of `host` in textual form (`192.0.2.1`, `2001:db8::1`); throws when it cannot be resolved.
    func addresses(of host: String, port: Int) async throws -> [String]
}

/// The system's resolver: getaddrinfo(3), run on NIO's blocking-I/O thread pool.
public struct SystemResolver: HostResolver {
    public init() {}

    public func addresses(of host: String, port: Int) async throws -> [String] {
        try await NIOThreadPool.singleton.runIfActive {
            var hints = addrinfo()
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
            var list: UnsafeMutablePointer<addrinfo>?
            let status = getaddrinfo(host, String(port), &hints, &list)
            guard status == 0, let first = list else { throw ResolutionFailure(host: host) }
            defer { freeaddrinfo(first) }
            var found: [String] = []
            var next: UnsafeMutablePointer<addrinfo>? = first
            while let entry = next {
                var text = [CChar](repeating: 0, count: Int(NI_MAXHOST))
                if let address = entry.pointee.ai_addr,
                   getnameinfo(address, entry.pointee.ai_addrlen, &text, socklen_t(text.count), nil, 0, NI_NUMERICHOST) == 0 {
                    let value = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                    if !found.contains(value) { found.append(value) }
                }
                next = entry.pointee.ai_next
            }
            return found
        }
    }
}

/// A host name that did not resolve.
struct ResolutionFailure: Error, CustomStringConvertible {
    let host: String
    var description: String { "the host \(host) cannot be resolved" }
}

/// The SSRF guard for webhook URLs (OWASP API7:2023): resolve the host once, refuse unless every address it
/// resolves to is public (`PublicAddress`), and hand back the checked address, which the sender connects to
/// (so a DNS answer that changes between check and connect, rebinding, cannot slip through). With
/// `--webhook-allow-private` the address check is lifted and `http://` allowed.
public struct WebhookAddressPolicy: Sendable {
    public var allowPrivate: Bool
    public var resolver: any HostResolver

    public init(allowPrivate: Bool, resolver: any HostResolver = SystemResolver()) {
        self.allowPrivate = allowPrivate
        self.resolver = resolver
    }

    /// Why a URL is refused: the error naming `url`, and whether it may pass later (a host that did not
    /// resolve: DNS may be down for a moment) rather than never (a form or an address that is refused).
    public struct Refusal: Error, Sendable {
        public var error: FieldError
        public var transient: Bool
    }

    /// The URL taken apart with the address to connect to, or why it is refused. The message does not say
    /// which address a name resolved to, so a subscriber cannot map the server's internal names.
    public func check(_ url: String) async -> Result<(target: WebhookTarget, address: String), Refusal> {
        let target: WebhookTarget
        switch WebhookTarget.parse(url, allowPlainHTTP: allowPrivate) {
        case .failure(let error): return .failure(Refusal(error: error, transient: false))
        case .success(let parsed): target = parsed
        }
        let literal = PublicAddress.ipv4(target.host) != nil || PublicAddress.ipv6(target.host) != nil
        let addresses = literal ? [target.host] : (try? await resolver.addresses(of: target.host, port: target.port)) ?? []
        guard let first = addresses.first else {
            return .failure(Refusal(error: FieldError("url", "must name a host that resolves; \(target.host) does not (now)"), transient: true))
        }
        if !allowPrivate, addresses.contains(where: { !PublicAddress.isPublic($0) }) {
            let what = literal ? "\(target.host) is" : "\(target.host) resolves to an address that is"
            return .failure(Refusal(error: FieldError("url", "must reach a public address; \(what) loopback, private, link-local, multicast or otherwise not public"),
                                    transient: false))
        }
        return .success((target, first))
    }
}
