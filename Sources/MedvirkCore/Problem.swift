/// One field-level validation failure, reported in a problem's `errors` list.
public struct FieldError: Sendable, Equatable, Codable {
    public var field: String
    public var message: String

    public init(_ field: String, _ message: String) {
        self.field = field
        self.message = message
    }
}

/// An RFC 9457 problem. Every rule violation in the domain is thrown as one of these,
/// and the server renders it as `application/problem+json`.
public struct Problem: Error, Sendable, Equatable {
    public var status: Int
    /// The last path segment of the problem `type` URI, e.g. `validation-failed`.
    public var slug: String
    public var title: String
    public var detail: String
    /// At most `maxListedErrors`: a file of bad rows must not become a response (and a memory spike) as
    /// large as the file. `errorCount` gives the total.
    public var errors: [FieldError]
    /// How many errors there were in all, listed or not.
    public var errorCount: Int
    /// Extra response headers such as `Allow` or `WWW-Authenticate`.
    public var headers: [String: String]

    /// The longest `errors` list a problem carries.
    public static let maxListedErrors = 100

    /// `errorTotal`: how many errors there were when `errors` is already cut short (default: its count).
    public init(status: Int, slug: String, title: String, detail: String, errors: [FieldError] = [], errorTotal: Int? = nil,
                headers: [String: String] = [:]) {
        self.status = status
        self.slug = slug
        self.title = title
        self.detail = detail
        self.errors = Array(errors.prefix(Self.maxListedErrors))
        self.errorCount = max(errorTotal ?? 0, errors.count)
        self.headers = headers
    }

    public static let typeBase = "https://medvirk.dk/problems/"

    public static func badRequest(_ detail: String, slug: String = "bad-request", errors: [FieldError] = []) -> Problem {
        Problem(status: 400, slug: slug, title: "Bad request", detail: detail, errors: errors)
    }

    public static func validation(_ errors: [FieldError], total: Int? = nil,
                                  detail: String = "The request breaks one or more rules; see errors.") -> Problem {
        Problem(status: 422, slug: "validation-failed", title: "Validation failed", detail: detail, errors: errors, errorTotal: total)
    }

    public static func notFound(_ what: String, _ id: String) -> Problem {
        Problem(status: 404, slug: "not-found", title: "Not found", detail: "No \(what) with id '\(id)'.")
    }

    public static func conflict(_ slug: String, _ detail: String) -> Problem {
        Problem(status: 409, slug: slug, title: "Conflict", detail: detail)
    }

    public static let unauthenticated = Problem(
        status: 401, slug: "unauthenticated", title: "Unauthenticated",
        detail: "This operation needs an 'Authorization: Bearer <token>' header with a valid token.",
        headers: ["WWW-Authenticate": "Bearer realm=\"medvirk\""])

    public static let invalidToken = Problem(
        status: 401, slug: "invalid-token", title: "Invalid token",
        detail: "The bearer token is unknown, malformed or revoked.",
        headers: ["WWW-Authenticate": "Bearer realm=\"medvirk\", error=\"invalid_token\""])

    public static func forbidden(_ detail: String) -> Problem {
        Problem(status: 403, slug: "forbidden", title: "Forbidden", detail: detail)
    }

    /// Throws a 422 when any rule failed.
    public static func check(_ errors: [FieldError]) throws {
        if !errors.isEmpty { throw Problem.validation(errors) }
    }
}
