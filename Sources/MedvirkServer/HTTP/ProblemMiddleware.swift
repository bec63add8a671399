import HTTPTypes
import Hummingbird
import Logging
import MedvirkCore

/// Innermost router middleware: renders errors thrown by the generated layer and the handlers as problems.
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            return ProblemRendering.render(error, path: request.uri.path, requestId: RequestState.current?.requestId, logger: context.logger)
        }
    }
}
