import Hummingbird

/// Counts every answer by route template, method and status, with its latency (see `ServiceMetrics`).
struct MetricsMiddleware: RouterMiddleware {
    typealias Context = MedvirkRequestContext
    let metrics: ServiceMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard !context.isProbe else { return try await next(request, context) }
        let started = ContinuousClock.now
        let method = context.isHead ? "HEAD" : request.method.rawValue
        let route = context.route?.template ?? "unmatched"
        do {
            let response = try await next(request, context)
            metrics.request(route: route, method: method, status: Int(response.status.code), duration: ContinuousClock.now - started)
            return response
        } catch {
            let status = (error as? any HTTPResponseError).map { Int($0.status.code) } ?? 500
            metrics.request(route: route, method: method, status: status, duration: ContinuousClock.now - started)
            throw error
        }
    }
}
