import Foundation
import MedvirkAPI
import MedvirkCore
import MedvirkStore
import OpenAPIRuntime

/// Implements the generated server protocol. Handlers stay thin: check the caller, translate between
/// contract types and domain types, call the store.
struct APIHandlers: APIProtocol {
    let store: Store
    let contract: String
    let metrics: ServiceMetrics
    let cache: ResponseCache
    /// The request body limit, which `RequestBodyMiddleware` has already enforced.
    var maxBodyBytes = 1 << 20
    /// Client addresses that may read `/metrics` without an admin token.
    var metricsFrom: [AddressRange] = AddressRange.loopback
    let inFlight = InFlightKeys()
    /// Streams file uploads into the store.
    let uploads: UploadReceiver
    /// Checks webhook URLs at subscription, as the dispatcher does again at every delivery.
    var webhookPolicy = WebhookAddressPolicy(allowPrivate: false)

    /// The pipeline's findings about the request being handled (see `MedvirkRequestContext`); nil when a
    /// handler is called directly, which then acts for an anonymous caller.
    var context: MedvirkRequestContext? { MedvirkRequestContext.current }
    var principal: Principal { MedvirkRequestContext.current?.principal ?? .anonymous }
    /// What the caller may read (see `Reader` and the store's `Readable`).
    var reader: Reader { Reader(principal) }

    /// Throws the 404 for a resource the caller may not read, whatever the reason (it does not exist, is a
    /// draft, is withheld, or belongs to something that is not public), so an id tells a stranger nothing.
    /// Call it before any 401/403 check about what the caller may do with the resource.
    func requireReadable(_ type: ChangeType, _ id: String, name: String) async throws {
        guard try await store.isReadable(type, id, by: reader) else { throw Problem.notFound(name, id) }
    }

    /// References to other resources, each kept only when the caller may read that resource too (one
    /// lookup per distinct id).
    func shown(_ type: ChangeType, _ ids: [String?]) async throws -> [String?] {
        var readable: [String: Bool] = [:]
        for id in Set(ids.compactMap { $0 }) { readable[id] = try await store.isReadable(type, id, by: reader) }
        return ids.map { id in id.flatMap { readable[$0] == true ? $0 : nil } }
    }

    /// The audit identity a write needs, given only once `If-Match` has been checked: throws the 412 when
    /// it did not match (or the 400 when it was malformed). Call after validating the body, before writing,
    /// so a malformed body is a 400/422 even when `If-Match` is stale, and a stale one never writes.
    func writeActor() throws -> WriteActor {
        guard let context, case .token(let token) = context.principal else { throw Problem.unauthenticated }
        if case .failed(let problem) = context.precondition { throw problem }
        return WriteActor(tokenId: token.id, tokenName: token.name, method: context.method, path: context.path,
                          requestId: context.requestId)
    }

    func pageRequest(limit: Int?, cursor: String?) throws -> PageRequest {
        try checkParameter("cursor", cursor, max: 90)
        return try PageRequest.parse(limit: limit, cursor: cursor)
    }

    /// The generator does not enforce `minLength`/`maxLength` on parameters; this does, with the contract's limits.
    func checkParameter(_ name: String, _ value: String?, max: Int) throws {
        guard let value else { return }
        guard !value.isEmpty, value.unicodeScalars.count <= max else {
            throw Problem.badRequest("\(name) must be 1 to \(max) characters.", slug: "invalid-parameter",
                                     errors: [FieldError(name, "must be 1 to \(max) characters")])
        }
    }

    /// A list page's `next_cursor`, and its `Link: <…>; rel="next"`: the same request with `parameter` set
    /// to that cursor (nil on the last page).
    struct NextPage {
        var cursor: String?
        var link: String?
    }

    func nextPage<T>(_ page: Page<T>, parameter: String = "cursor") -> NextPage {
        nextPage(cursor: page.next?.encoded, parameter: parameter)
    }

    func nextPage(cursor: String?, parameter: String) -> NextPage {
        guard let cursor else { return NextPage() }
        let path = context?.path ?? "", query = context?.query ?? ""
        let kept = query.split(separator: "&").filter { !$0.hasPrefix("\(parameter)=") }
        let target = path + "?" + (kept + ["\(parameter)=\(cursor)"]).joined(separator: "&")
        return NextPage(cursor: cursor, link: "<\(target)>; rel=\"next\"")
    }

    // MARK: Operations

    func getHealthz(_ input: Operations.GetHealthz.Input) async throws -> Operations.GetHealthz.Output {
        .ok(.init(body: .json(.init(status: .ok))))
    }

    func getReadyz(_ input: Operations.GetReadyz.Input) async throws -> Operations.GetReadyz.Output {
        let status = await store.isReady()
        guard status.ready else {
            throw Problem(status: 503, slug: "not-ready", title: "Not ready",
                          detail: "The database is unreachable or migrations are pending.")
        }
        return .ok(.init(body: .json(.init(status: .ok, migrations: status.applied))))
    }

    /// Admin tokens, and clients in `--metrics-from`; a 404 for everyone else, as if there were no metrics.
    func getMetrics(_ input: Operations.GetMetrics.Input) async throws -> Operations.GetMetrics.Output {
        guard principal.isAdmin || metricsFrom.contains(address: context?.clientAddress ?? "unix") else {
            throw Problem(status: 404, slug: "not-found", title: "Not found", detail: "No resource at this path.")
        }
        let fileBytes = try await store.storedFileBytes()
        let queue = try await store.webhookQueueStats()
        return .ok(.init(body: .plainText(HTTPBody(metrics.render(databasePath: store.path, cacheUsage: cache.bytes, fileBytes: fileBytes,
                                                                   webhookQueue: queue)))))
    }

    func getOpenAPI(_ input: Operations.GetOpenAPI.Input) async throws -> Operations.GetOpenAPI.Output {
        .ok(.init(body: .yaml(HTTPBody(contract))))
    }
}

/// Converts between enums that share raw values (domain ↔ contract). `ContractTests` pins every pair, so
/// a miss is our bug: a 500 problem for this request, not a crash of the whole process.
func convert<A: RawRepresentable, B: RawRepresentable>(_ value: A) throws -> B where A.RawValue == String, B.RawValue == String {
    guard let converted = B(rawValue: value.rawValue) else {
        throw ContractMismatch(description: "enum \(B.self) lacks \(value.rawValue)")
    }
    return converted
}

/// A domain value the contract cannot express; rendered as a 500 and logged.
struct ContractMismatch: Error, CustomStringConvertible {
    let description: String
}

/// Parses a date field of a request body, reporting a 422 for the named field.
func date(_ field: String, _ text: String?) throws -> CalendarDate? {
    let (date, errors) = Rules.date(field, text)
    try Problem.check(errors)
    return date
}
