import Hummingbird
import MedvirkCore

/// Anonymous requests (other than the live probes and metrics) take from their client address's bucket;
/// token holders are limited per token by `BearerAuthMiddleware`.
struct AddressRateLimitMiddleware: RouterMiddleware {
    typealias Context = MedvirkRequestContext
    let limiter: RateLimiter
    let clock: any WallClock

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if !context.isProbe, request.headers[.authorization] == nil, !context.isLivePath {
            try limiter.take(token: nil, address: context.clientAddress, now: clock.now())
        }
        return try await next(request, context)
    }
}
