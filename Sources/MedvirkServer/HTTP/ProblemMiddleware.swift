import HTTPTypes
import Hummingbird
import Logging
import MedvirkCore

/// Renders every error thrown by the middlewares after it and by the handlers as an RFC 9457 problem.
/// It sits inside CORS, logging and metrics, so errors carry CORS headers and are logged and counted.
struct ProblemMiddleware: RouterMiddleware {
    typealias Context = MedvirkRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            return ProblemRendering.render(error, path: request.uri.path, requestId: context.requestId, logger: context.logger)
        }
    }
}
