import Foundation

/// The paths and methods of the contract, read from `openapi.yaml` itself, so that a request
/// to a known path with the wrong method gets 405 with the right `Allow` header.
struct RouteTable: Sendable {
    struct Route: Sendable {
        var segments: [String]
        var methods: [String]
        /// `/v1/councils/{council_id}`: the metrics label.
        var template = ""
        /// What `Allow` lists.
        var allowed: [String] = []
    }

    let routes: [Route]

    init(contract: String) {
        var routes: [Route] = []
        var inPaths = false
        for line in contract.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("paths:") { inPaths = true; continue }
            if inPaths, let first = line.first, first != " " { break }
            guard inPaths else { continue }
            if line.hasPrefix("  /"), line.hasSuffix(":") {
                let path = line.dropFirst(2).dropLast()
                routes.append(Route(segments: path.split(separator: "/").map(String.init), methods: []))
            } else if line.hasPrefix("    "), !line.hasPrefix("     "), !routes.isEmpty {
                let key = line.dropFirst(4).split(separator: ":").first.map(String.init) ?? ""
                if ["get", "put", "post", "delete", "patch"].contains(key) {
                    routes[routes.count - 1].methods.append(key.uppercased())
                }
            }
        }
        self.routes = routes.map { route in
            var route = route
            route.template = "/" + route.segments.joined(separator: "/")
            route.allowed = route.methods + (route.methods.contains("GET") ? ["HEAD"] : []) + ["OPTIONS"]
            return route
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
