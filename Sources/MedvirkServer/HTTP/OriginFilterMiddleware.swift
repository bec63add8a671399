import Hummingbird

/// Drops the `Origin` header of requests from origins not on the allow-list, so CORS answers only for those.
struct OriginFilterMiddleware<Context: RequestContext>: RouterMiddleware {
    let allowed: [String]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard !allowed.contains("*"), let origin = request.headers[.origin], !allowed.contains(origin) else {
            return try await next(request, context)
        }
        var head = request.head
        head.headerFields[.origin] = nil
        return try await next(Request(head: head, body: request.body), context)
    }
}
