/// What a token may do.
public enum TokenScope: String, Sendable, Codable, CaseIterable {
    /// Create and edit everything, in all municipalities or the listed ones.
    case admin
    /// Submit consultation responses, in all municipalities or the listed ones.
    case partner
}

/// The caller of a request: anonymous, or the holder of a valid token.
public indirect enum Principal: Sendable, Equatable {
    case anonymous
    case token(TokenInfo)

    public var isAnonymous: Bool { self == .anonymous }

    /// True for an admin token that may act on `municipality` (nil: a resource spanning all).
    public func canAdminister(_ municipality: String?) -> Bool {
        guard case .token(let token) = self, token.scope == .admin else { return false }
        guard let municipality else { return token.municipalities.isEmpty }
        return token.municipalities.isEmpty || token.municipalities.contains(municipality)
    }

    /// True for an admin token of any reach: such callers see private fields of what they may administer.
    public var isAdmin: Bool {
        if case .token(let token) = self { return token.scope == .admin }
        return false
    }

    /// Throws 401 for anonymous callers and 403 for tokens without the right to administer `municipality`.
    public func requireAdmin(_ municipality: String?) throws {
        guard case .token(let token) = self else { throw Problem.unauthenticated }
        guard token.scope == .admin else {
            throw Problem.forbidden("This operation needs an admin token; this token has scope '\(token.scope.rawValue)'.")
        }
        guard canAdminister(municipality) else {
            if let municipality {
                throw Problem.forbidden("This token may not administer municipality '\(municipality)'.")
            }
            throw Problem.forbidden("This operation needs an admin token for all municipalities.")
        }
    }
}

/// A stored token, without its secret.
public struct TokenInfo: Sendable, Equatable, Codable {
    public var id: String
    public var name: String
    public var scope: TokenScope
    /// Empty means all municipalities.
    public var municipalities: [String]

    public init(id: String, name: String, scope: TokenScope, municipalities: [String]) {
        self.id = id
        self.name = name
        self.scope = scope
        self.municipalities = municipalities
    }

    /// How this token reads the change feed, and so which events its webhook subscriptions receive: an admin
    /// every event of the municipalities it administers (`adminOf`; nil: all) and the public view elsewhere; a
    /// partner the public view plus the events of its own responses (`partner`, its id).
    public var feedView: (adminOf: [String]?, partner: String?) {
        scope == .admin ? (municipalities.isEmpty ? nil : municipalities, nil) : ([], id)
    }
}

/// Who performed a write, for the audit log. The store's writes require one: an API handler gets it only
/// from `APIHandlers.writeActor()`, after the request's `If-Match` has been checked; the service's own
/// writes (demo data, benchmarks' seeding) use `.service`, which is not audited.
public struct WriteActor: Sendable {
    public var tokenId: String
    public var tokenName: String
    public var method: String
    public var path: String
    public var requestId: String

    public init(tokenId: String, tokenName: String, method: String, path: String, requestId: String) {
        self.tokenId = tokenId
        self.tokenName = tokenName
        self.method = method
        self.path = path
        self.requestId = requestId
    }

    /// The service itself, writing without a request: not an audited action.
    public static let service = WriteActor(tokenId: "", tokenName: "medvirk", method: "", path: "", requestId: "")

    public var isService: Bool { tokenId.isEmpty }
}

/// What a caller may read: every live resource of the municipalities it administers, and elsewhere only
/// what the public may read. The store turns this into the one SQL definition of "readable" per kind of
/// resource (`Store.readable`), which single reads, lists, reports, calendars and the change feed share.
public struct Reader: Sendable, Equatable {
    /// Municipality ids; `"*"` stands for all of them.
    public var administers: [String]

    public init(administers: [String]) { self.administers = administers }

    /// Anonymous callers and partner tokens: public data only.
    public static let anyone = Reader(administers: [])

    public init(_ principal: Principal) {
        guard case .token(let token) = principal, token.scope == .admin else { self = .anyone; return }
        administers = token.municipalities.isEmpty ? ["*"] : token.municipalities
    }

    public func administers(_ municipality: String) -> Bool {
        administers.contains("*") || administers.contains(municipality)
    }
}
