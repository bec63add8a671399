#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import HTTPTypes
import NIOCore

/// An address range in CIDR notation (`10.0.0.0/8`, `2001:db8::/32`, a single `127.0.0.1`), or `unix`
/// for peers on the Unix domain socket. Used by `--trusted-proxy` and `--metrics-from`.
public struct AddressRange: Sendable, Equatable, CustomStringConvertible {
    /// 4 or 16 network-order bytes; empty for `unix`.
    let network: [UInt8]
    let prefixLength: Int
    public let description: String

    /// Loopback, IPv4 and IPv6: the default of `--metrics-from`.
    public static let loopback = [AddressRange("127.0.0.0/8")!, AddressRange("::1/128")!]

    /// Parses `address[/prefix]` or `unix`; nil when it is neither.
    public init?(_ text: String) {
        description = text
        if text == "unix" {
            network = []
            prefixLength = 0
            return
        }
        let parts = text.split(separator: "/", maxSplits: 1).map(String.init)
        guard let bytes = Self.bytes(parts[0]) else { return nil }
        let length = parts.count == 2 ? Int(parts[1]) : bytes.count * 8
        guard let length, (0...(bytes.count * 8)).contains(length) else { return nil }
        network = bytes
        prefixLength = length
    }

    /// Parses a comma-separated list (the environment variables' form); nil names the first bad entry.
    public static func list(_ text: String) -> (ranges: [AddressRange], bad: String?) {
        var ranges: [AddressRange] = []
        for item in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !item.isEmpty {
            guard let range = AddressRange(item) else { return (ranges, item) }
            ranges.append(range)
        }
        return (ranges, nil)
    }

    var isUnix: Bool { network.isEmpty }

    /// True when `address` (an IP address as text, or `unix`) lies in the range. IPv4-mapped IPv6
    /// addresses (`::ffff:10.1.2.3`) count as their IPv4 address.
    public func contains(_ address: String) -> Bool {
        if address == "unix" { return isUnix }
        guard !isUnix, var bytes = Self.bytes(address) else { return false }
        if bytes.count == 16, network.count == 4, bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF {
            bytes = Array(bytes[12...])
        }
        guard bytes.count == network.count else { return false }
        var remaining = prefixLength
        for (a, b) in zip(bytes, network) where remaining > 0 {
            let bits = min(8, remaining)
            let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
            if a & mask != b & mask { return false }
            remaining -= bits
        }
        return true
    }

    /// The address's bytes, by the C library's parser (`inet_pton`).
    static func bytes(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 { return withUnsafeBytes(of: &v6) { Array($0) } }
        return nil
    }
}

extension [AddressRange] {
    public func contains(address: String) -> Bool { contains { $0.contains(address) } }
}

/// Who the client is. Without trusted proxies it is the peer. When the peer is a trusted proxy
/// (`--trusted-proxy`), the client is the right-most address in the proxy's header (`X-Forwarded-For`, or
/// with `--proxy-header forwarded` RFC 7239's `Forwarded`, §5.2 `for=`) that is not itself a trusted proxy:
/// each proxy appends the address it saw, so hops left of the first untrusted one may be forged by the
/// client. Only the one header the proxy writes is read (a client could send the other one through a proxy
/// that only appends to its own), and headers from any other peer are ignored.
public struct ClientAddressResolver: Sendable {
    /// The header a trusted proxy records the client in.
    public enum ProxyHeader: String, Sendable, CaseIterable {
        case xForwardedFor = "x-forwarded-for"
        case forwarded
    }

    public let trustedProxies: [AddressRange]
    public let header: ProxyHeader

    public init(trustedProxies: [AddressRange], header: ProxyHeader = .xForwardedFor) {
        self.trustedProxies = trustedProxies
        self.header = header
    }

    /// An IP address as text, or `unix` for a peer on the Unix domain socket.
    static func peer(_ address: SocketAddress?) -> String {
        switch address {
        case .v4, .v6: address?.ipAddress ?? "unknown"
        case .unixDomainSocket, nil: "unix"
        }
    }

    public func resolve(peer address: SocketAddress?, headers: HTTPFields) -> String {
        let peer = Self.peer(address)
        guard trustedProxies.contains(address: peer) else { return peer }
        let hops = switch header {
        case .forwarded: Self.forwardedFor(headers[values: HTTPField.Name("Forwarded")!])
        case .xForwardedFor: headers[values: HTTPField.Name("X-Forwarded-For")!].flatMap { $0.split(separator: ",") }.map { Self.plainAddress(String($0)) }
        }
        for hop in hops.reversed() where !trustedProxies.contains(address: hop) {
            // An unparsable or obfuscated hop ("unknown", "_hidden") ends the trail: it is the client as far as we can tell.
            return AddressRange.bytes(hop) == nil ? peer : hop
        }
        return hops.first ?? peer
    }

    /// The `for=` values of every `Forwarded` element, in order.
    static func forwardedFor(_ fields: [String]) -> [String] {
        fields.flatMap { $0.split(separator: ",") }.compactMap { element in
            for pair in element.split(separator: ";") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                guard parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces).lowercased() == "for" else { continue }
                return plainAddress(String(parts[1]))
            }
            return nil
        }
    }

    /// `"[2001:db8::1]:4711"` → `2001:db8::1`, `192.0.2.60:80` → `192.0.2.60`; other text as it is.
    static func plainAddress(_ raw: String) -> String {
        var text = raw.trimmingCharacters(in: .whitespaces)
        if text.hasPrefix("\""), text.hasSuffix("\""), text.count >= 2 { text = String(text.dropFirst().dropLast()) }
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") { return String(text[text.index(after: text.startIndex)..<close]) }
        if text.filter({ $0 == ":" }).count == 1, let colon = text.firstIndex(of: ":") { return String(text[..<colon]) }
        return text
    }
}
