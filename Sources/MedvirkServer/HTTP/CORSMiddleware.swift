import HTTPTypes
import Hummingbird

/// Cross-origin reads (the Fetch standard's CORS protocol) for the origins on the allow-list (`*`: any).
/// A request from another origin is served as if it had no `Origin`. A preflight (`OPTIONS` with `Origin`)
/// is answered here; other answers, errors and cache hits included, get `Access-Control-Allow-Origin` and
/// `Access-Control-Expose-Headers`: the Fetch standard reads which headers a page may see from the actual
/// response, not the preflight, so without it a page could not read `Link`, `ETag` or a 429's `Retry-After`
/// (Hummingbird's own `CORSMiddleware` sends it on the preflight only). One middleware
/// for the origin filter and the CORS headers, so a read passes one layer, not two.
struct CrossOriginMiddleware: RouterMiddleware {
    typealias Context = MedvirkRequestContext
    let allowed: [String]
    /// `Range` and `If-Range` let a PDF viewer on a municipality's site read hosted files in parts.
    let allowHeaders = "Accept, If-None-Match, Range, If-Range, X-Request-Id"
    let allowMethods = "GET, HEAD, OPTIONS"
    /// `Content-Range`, `Accept-Ranges` and `Content-Disposition` (a file's name) for downloads of hosted files.
    let exposeHeaders = "ETag, Link, Location, Retry-After, X-Request-Id, RateLimit, RateLimit-Policy, Content-Range, Accept-Ranges, Content-Disposition"
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
        response.headers[.accessControlExposeHeaders] = exposeHeaders
        return varyOnOrigin(response)
    }

    func varyOnOrigin(_ response: Response) -> Response {
        guard !anyOrigin else { return response }
        var response = response
        response.headers[values: .vary].append("Origin")
        return response
    }
}
