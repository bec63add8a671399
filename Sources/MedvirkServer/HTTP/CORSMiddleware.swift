import HTTPTypes
import Hummingbird

/// Cross-origin reads (the Fetch standard's CORS protocol) for the origins on the allow-list (`*`: any).
/// A request from another origin is served as if it had no `Origin`. A preflight (`OPTIONS` with `Origin`)
/// is answered here; other answers, errors included, get `Access-Control-Allow-Origin`. One middleware
/// for the origin filter and the CORS headers, so a read passes one layer, not two.
struct CrossOriginMiddleware: RouterMiddleware {
    typealias Context = MedvirkRequestContext
    let allowed: [String]
    let allowHeaders = "Accept, If-None-Match, X-Request-Id"
    let allowMethods = "GET, HEAD, OPTIONS"
    let exposeHeaders = "ETag, Link, X-Request-Id, Location"
    /// Seconds a browser may keep a preflight's answer.
    let maxAge = 3600

    var anyOrigin: Bool { allowed.contains("*") }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        // With an allow-list, every answer depends on `Origin`, also one to a request without it: a shared
        // cache must not hand the allowed site a copy stored without CORS headers.
        guard let origin = request.headers[.origin] else { return varyOnOrigin(try await next(request, context)) }
        guard anyOrigin || allowed.contains(origin) else {
            var head = request.head
            head.headerFields[.origin] = nil
            return varyOnOrigin(try await next(Request(head: head, body: request.body), context))
        }
        let allowOrigin = anyOrigin ? "*" : origin
        if request.method == .options {
            var headers: HTTPFields = [
                .accessControlAllowHeaders: allowHeaders, .accessControlAllowMethods: allowMethods,
                .accessControlAllowOrigin: allowOrigin, .accessControlMaxAge: String(maxAge),
                .accessControlExposeHeaders: exposeHeaders,
            ]
            if !anyOrigin { headers[.vary] = "Origin" }
            return Response(status: .noContent, headers: headers, body: .init())
        }
        var response = try await next(request, context)
        response.headers[.accessControlAllowOrigin] = allowOrigin
        return varyOnOrigin(response)
    }

    func varyOnOrigin(_ response: Response) -> Response {
        guard !anyOrigin else { return response }
        var response = response
        response.headers[values: .vary].append("Origin")
        return response
    }
}
