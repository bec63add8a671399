import HTTPTypes
import Hummingbird
import Logging
import MedvirkCore

/// Innermost router middleware: renders thrown errors as problems, and answers requests the router
/// could not match with 404, 405 (with `Allow`) or, for OPTIONS, 204 with `Allow`.
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    let routes: RouteTable

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound && context.endpointPath == nil {
            return unmatched(request)
        } catch {
            let problem = ProblemRendering.problem(for: error)
            if problem.status >= 500 {
                context.logger.error("request failed", metadata: ["error": "\(String(reflecting: type(of: error)))", "detail": "\(error)"])
            }
            return ProblemRendering.response(problem, instance: request.uri.path, requestId: RequestState.current?.requestId)
        }
    }

    func unmatched(_ request: Request) -> Response {
        let path = request.uri.path
        guard let allowed = routes.allowed(path: path) else {
            return ProblemRendering.response(
                Problem(status: 404, slug: "not-found", title: "Not found", detail: "No resource at '\(path)'. The API lives under /v1; see /openapi.yaml."),
                instance: path, requestId: RequestState.current?.requestId)
        }
        let allow = allowed.joined(separator: ", ")
        if request.method == .options {
            return Response(status: .noContent, headers: [.allow: allow])
        }
        return ProblemRendering.response(
            Problem(status: 405, slug: "method-not-allowed", title: "Method not allowed",
                    detail: "\(request.method.rawValue) is not supported on \(path); use \(allow).", headers: ["Allow": allow]),
            instance: path, requestId: RequestState.current?.requestId)
    }
}
