import HTTPTypes
import Hummingbird
import OpenAPIHummingbird
import OpenAPIRuntime

/// The contract's paths and methods as the generated `registerHandlers` registers them, so a request to a
/// known path with the wrong method gets 405 with the right `Allow`, and metrics and logs name the route
/// template (`/v1/councils/{council_id}`) rather than the concrete path.
struct RouteTable: Sendable {
    /// A class, so the request context carries one reference to it through every middleware.
    final class Route: Sendable {
        let segments: [String]
        /// `/v1/councils/{council_id}`.
        let template: String
        /// What `Allow` lists: the registered methods, HEAD where GET is, and OPTIONS.
        let allowed: [String]
        /// The contract's facts for each registered method.
        let operations: [String: ContractDocument.Operation]

        init(template: String, allowed: [String], operations: [String: ContractDocument.Operation]) {
            self.segments = template.split(separator: "/").map(String.init)
            self.template = template
            self.allowed = allowed
            self.operations = operations
        }

        func operation(_ method: HTTPRequest.Method) -> ContractDocument.Operation? { operations[method.rawValue] }
    }

    let routes: [Route]

    init(registered: [(method: HTTPRequest.Method, path: String)], contract: ContractDocument) {
        var order: [String] = [], methods: [String: [String]] = [:]
        for (method, path) in registered {
            if methods[path] == nil { order.append(path) }
            methods[path, default: []].append(method.rawValue)
        }
        routes = order.map { path in
            let registered = methods[path] ?? []
            var operations: [String: ContractDocument.Operation] = [:]
            for method in registered { operations[method] = contract.operation(method, path) }
            return Route(template: path, allowed: registered + (registered.contains("GET") ? ["HEAD"] : []) + ["OPTIONS"], operations: operations)
        }
    }

    /// The contract's route that a concrete path matches, if any.
    func route(for path: String) -> Route? {
        let segments = path.split(separator: "/")
        return routes.first { route in
            route.segments.count == segments.count
                && zip(route.segments, segments).allSatisfy { pattern, value in pattern.hasPrefix("{") || pattern == value }
        }
    }
}

/// A transport that notes each method and path template the generated code registers, then registers it on
/// the router.
final class RouteRecorder<Context: RequestContext>: ServerTransport {
    let router: Router<Context>
    private(set) var registered: [(method: HTTPRequest.Method, path: String)] = []

    init(router: Router<Context>) {
        self.router = router
    }

    func register(_ handler: @escaping @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?),
                  method: HTTPRequest.Method, path: String) throws {
        registered.append((method, path))
        try router.register(handler, method: method, path: path)
    }
}
