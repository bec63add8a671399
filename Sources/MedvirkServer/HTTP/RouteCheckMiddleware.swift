import HTTPTypes
import Hummingbird
import MedvirkCore

/// Unknown paths are 404 and wrong methods 405 with `Allow`, before any body is read or token checked.
/// OPTIONS answers with `Allow` (a CORS preflight has been answered by `CrossOriginMiddleware` already).
/// Then the query passes `QueryPolicy`.
/// It runs before the router, inside the pipeline, so these answers get CORS, logs and metrics.
struct RouteCheckMiddleware: RouterMiddleware {
    typealias Context = MedvirkRequestContext
    let query: QueryPolicy

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        guard let allowed = context.route?.allowed else {
            throw Problem(status: 404, slug: "not-found", title: "Not found",
                          detail: "No resource at '\(path)'. The API lives under /v1; see /openapi.yaml.")
        }
        if request.method == .options { return Response(status: .noContent, headers: [.allow: allowed.joined(separator: ", ")]) }
        guard allowed.contains(request.method.rawValue) else {
            let allow = allowed.joined(separator: ", ")
            throw Problem(status: 405, slug: "method-not-allowed", title: "Method not allowed",
                          detail: "\(request.method.rawValue) is not supported on \(path); use \(allow).", headers: ["Allow": allow])
        }
        // Probes and /metrics answer whatever their query (a monitor may add a cache-buster).
        if !context.isLivePath, let operation = context.route?.operation(request.method == .head ? .get : request.method) {
            try query.check(request.uri.query, operation)
        }
        return try await next(QueryPolicy.normalising(request), context)
    }
}
