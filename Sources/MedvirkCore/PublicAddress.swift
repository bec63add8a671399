import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whether an IP address is one a webhook may be sent to: globally reachable, as the IANA IPv4 and IPv6
/// Special-Purpose Address Registries (RFC 6890 and its updates) mark it. Refused: unspecified, loopback,
/// private (RFC 1918, unique local fc00::/7), shared (100.64/10), link-local, multicast, documentation,
/// benchmarking, reserved and broadcast ranges, and IPv6 forms that embed a refused IPv4 address
/// (IPv4-mapped, IPv4-compatible, NAT64 64:ff9b::/96, 6to4 2002::/16); of IPv6 only global unicast
/// (2000::/3, RFC 4291 §2.4) can be public. A guard against server-side request forgery (OWASP API7:2023).
public enum PublicAddress {
    /// True for a textual IPv4 or IPv6 address that is publicly routable; false for non-public ones and for
    /// anything that is not an address.
    public static func isPublic(_ text: String) -> Bool {
        if let v4 = ipv4(text) { return isPublic(v4: v4) }
        if let v6 = ipv6(text) { return isPublic(v6: v6) }
        return false
    }

    /// The four bytes of a dotted-quad IPv4 address.
    public static func ipv4(_ text: String) -> [UInt8]? {
        var address = in_addr()
        guard inet_pton(AF_INET, text, &address) == 1 else { return nil }
        return withUnsafeBytes(of: &address) { Array($0) }
    }

    /// The sixteen bytes of an IPv6 address (a zone index such as `%eth0` is not an address here).
    public static func ipv6(_ text: String) -> [UInt8]? {
        var address = in6_addr()
        guard inet_pton(AF_INET6, text, &address) == 1 else { return nil }
        return withUnsafeBytes(of: &address) { Array($0) }
    }

    static func isPublic(v4 b: [UInt8]) -> Bool {
        let refused: [([UInt8], Int)] = [
            ([0, 0, 0, 0], 8), ([10, 0, 0, 0], 8), ([100, 64, 0, 0], 10), ([127, 0, 0, 0], 8), ([169, 254, 0, 0], 16),
            ([172, 16, 0, 0], 12), ([192, 0, 0, 0], 24), ([192, 0, 2, 0], 24), ([192, 88, 99, 0], 24), ([192, 168, 0, 0], 16),
            ([198, 18, 0, 0], 15), ([198, 51, 100, 0], 24), ([203, 0, 113, 0], 24), ([224, 0, 0, 0], 4), ([240, 0, 0, 0], 4),
        ]
        return !refused.contains { within(b, $0.0, $0.1) }
    }

    static func isPublic(v6 b: [UInt8]) -> Bool {
        let zeros = [UInt8](repeating: 0, count: 16)
        if b == zeros { return false }                                                  // ::
        if b == zeros.dropLast() + [1] { return false }                                 // ::1
        if within(b, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff], 96) { return isPublic(v4: Array(b[12...])) }  // ::ffff:a.b.c.d
        if within(b, zeros, 96) { return isPublic(v4: Array(b[12...])) }                // ::a.b.c.d (deprecated)
        if within(b, [0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0], 96) { return isPublic(v4: Array(b[12...])) }  // NAT64
        if within(b, [0x20, 0x02], 16) { return isPublic(v4: Array(b[2...5])) }         // 6to4
        if !within(b, [0x20], 3) { return false }                                       // outside global unicast 2000::/3
        let refused: [([UInt8], Int)] = [
            ([0x00, 0x64, 0xff, 0x9b, 0, 1], 48),      // local-use NAT64
            ([0x01, 0x00, 0, 0, 0, 0, 0, 0], 64),      // discard-only
            ([0x20, 0x01, 0x00, 0x00], 23),            // IETF protocol assignments (Teredo, ORCHID, benchmarking…)
            ([0x20, 0x01, 0x0d, 0xb8], 32),            // documentation
            ([0x3f, 0xff], 20),                        // documentation (RFC 9637)
            ([0x5f, 0x00], 16),                        // segment routing SIDs
            ([0xfc], 7), ([0xfe, 0x80], 10), ([0xfe, 0xc0], 10), ([0xff], 8),  // unique local, link-local, site-local, multicast
        ]
        return !refused.contains { within(b, $0.0, $0.1) }
    }

    /// True when the first `bits` bits of `address` equal those of `prefix`.
    static func within(_ address: [UInt8], _ prefix: [UInt8], _ bits: Int) -> Bool {
        var remaining = bits
        for (i, byte) in prefix.enumerated() where remaining > 0 {
            let take = min(8, remaining)
            let mask: UInt8 = take == 8 ? 0xff : ~(0xff >> UInt8(take))
            if address[i] & mask != byte & mask { return false }
            remaining -= take
        }
        return true
    }
}
