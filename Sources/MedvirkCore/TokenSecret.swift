import Crypto
import Foundation

/// Bearer tokens look like `mvk_<id>_<secret>`; only the SHA-256 of the secret is stored.
public struct TokenSecret: Sendable {
    public let id: String
    public let secret: String

    public static let prefix = "mvk"

    /// A new token with a 32-byte random secret.
    public static func generate() -> TokenSecret {
        let id = String(Identifiers.make("t").dropFirst(2))
        return TokenSecret(id: id, secret: Identifiers.base64URL(Identifiers.randomBytes(32)))
    }

    public init(id: String, secret: String) {
        self.id = id
        self.secret = secret
    }

    /// Splits a presented bearer token; nil when it cannot be one of ours.
    public init?(bearer: String) {
        let parts = bearer.split(separator: "_", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == Self.prefix, parts[1].count == 12, parts[2].count == 43,
              parts[1].allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }),
              parts[2].allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") })
        else { return nil }
        self.id = String(parts[1])
        self.secret = String(parts[2])
    }

    public var bearer: String { "\(Self.prefix)_\(id)_\(secret)" }

    public var hash: [UInt8] { Array(SHA256.hash(data: Data(secret.utf8))) }

    /// Compares two hashes without an early exit, so timing does not reveal how much matched.
    public static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for i in a.indices { difference |= a[i] ^ b[i] }
        return difference == 0
    }
}
