import Hummingbird
import Logging
import MedvirkCore

/// The access log: exactly one line per request, rejected ones and cache hits included, with the request
/// id, method, route template (never the concrete path, which carries ids), status, duration, bytes and the
/// token id (never the secret); the client address only with `--log-client-address`. Query strings appear only as the names of the operation's declared
/// parameters (others as `unknown`): values, and anything a client puts where a name goes, can be personal.
struct RequestLogMiddleware: RouterMiddleware {
    typealias Context = MedvirkRequestContext
    let level: Logger.Level
    /// `--log-client-address`: off by default, since a client address is personal data.
    var logClientAddress = false
    /// Told of every answer whose status the contract does not declare for its operation (tests fail on it).
    var onUndeclaredStatus: (@Sendable (String) -> Void)?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard !context.isProbe else { return try await next(request, context) }
        let started = ContinuousClock.now
        do {
            let response = try await next(request, context)
            log(request, context, status: Int(response.status.code), bytes: response.body.contentLength, started: started)
            return response
        } catch {
            log(request, context, status: (error as? any HTTPResponseError).map { Int($0.status.code) } ?? 500, bytes: nil, started: started)
            throw error
        }
    }

    func log(_ request: Request, _ context: Context, status: Int, bytes: Int?, started: ContinuousClock.Instant) {
        checkDeclared(request, context, status: status)
        guard context.logger.logLevel <= level else { return }
        let elapsed = ContinuousClock.now - started
        var metadata: Logger.Metadata = [
            "request_id": .string(context.requestId),
            "method": .string(context.isHead ? "HEAD" : request.method.rawValue),
            "route": .string(context.route?.template ?? "unmatched"),
            "status": .stringConvertible(status),
            "duration_ms": .string(String(format: "%.3f", Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000)),
            "bytes": .string(bytes.map(String.init) ?? "-"),
        ]
        if let header = request.headers[.authorization], let bearer = header.split(separator: " ", maxSplits: 1).last,
           let presented = TokenSecret(bearer: String(bearer)) {
            // The id part of `mvk_<id>_<secret>`: names the token without revealing it.
            metadata["token_id"] = .string(presented.id)
        }
        if logClientAddress { metadata["client_address"] = .string(context.clientAddress) }
        if let query = request.uri.query, !query.isEmpty {
            let declared = context.route?.operation(request.method)?.queryParameters ?? []
            let names = query.split(separator: "&").map { item in
                let name = String(item.prefix { $0 != "=" })
                return declared.contains(name) ? name : "unknown"
            }
            metadata["query"] = .string(names.joined(separator: ","))
        }
        context.logger.log(level: level, "request", metadata: metadata)
    }

    /// Every status an operation answers must be in its contract (schemathesis checks the same from outside):
    /// one that is not is logged as an error, naming the operation, and reported to `onUndeclaredStatus`.
    func checkDeclared(_ request: Request, _ context: Context, status: Int) {
        // A 5xx is our failure, not an answer the contract describes; it is logged and alerted on as such.
        guard status < 500, let operation = context.route?.operation(request.method), !operation.declares(status) else { return }
        let what = "\(request.method.rawValue) \(context.route?.template ?? "") answered \(status), which the contract does not declare"
        context.logger.error("undeclared status", metadata: ["request_id": .string(context.requestId), "detail": .string(what)])
        onUndeclaredStatus?(what)
    }
}
