import Foundation
import Hummingbird
import MedvirkCore
import MedvirkStore

/// Bearer authentication (`Authorization: Bearer mvk_<id>_<secret>`): sets the principal on the context,
/// answers 401 for an unknown, revoked or expired token and for an anonymous write, and takes each
/// request from the token's rate-limit bucket. A failed attempt costs the client address, so guessing
/// tokens is throttled like any anonymous traffic.
struct BearerAuthMiddleware: RouterMiddleware {
    typealias Context = MedvirkRequestContext
    let store: Store
    let limiter: RateLimiter
    let usage: TokenUsageRecorder

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        // The internal GET for `If-Match` runs as the caller already authenticated.
        if context.isProbe { return try await next(request, context) }
        var context = context
        do {
            context.principal = try authenticate(request.headers[.authorization])
        } catch {
            try limiter.take(token: nil, address: context.clientAddress, now: store.clock.now())
            throw error
        }
        if case .token(let token) = context.principal, !context.isLivePath {
            try limiter.take(token: token.id, address: context.clientAddress, now: store.clock.now())
        }
        if request.method.isWrite, context.principal.isAnonymous { throw Problem.unauthenticated }
        return try await next(request, context)
    }

    func authenticate(_ header: String?) throws -> Principal {
        guard let header else { return .anonymous }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer",
              let secret = TokenSecret(bearer: parts[1].trimmingCharacters(in: .whitespaces)),
              let token = try store.authenticate(secret)
        else { throw Problem.invalidToken }
        usage.used(token.id, at: store.clock.now())
        return .token(token)
    }
}
