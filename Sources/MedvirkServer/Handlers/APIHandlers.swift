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
    let inFlight = InFlightKeys()

    var principal: Principal { RequestState.now.principal }
    var actor: WriteActor? { RequestState.now.actor() }

    func pageRequest(limit: Int?, cursor: String?) throws -> PageRequest {
        try checkParameter("cursor", cursor, max: 200)
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

    /// Tells the front responder this is a list page, for `Link` and `next_cursor`.
    func listed<T>(_ page: Page<T>) -> String? {
        let next = page.next?.encoded
        RequestState.now.markList(next: next)
        return next
    }

    /// Raises a 412 when `If-Match` was stale; call after validating, before writing.
    func checkPrecondition() throws {
        try RequestState.now.checkPrecondition()
    }

    func created(_ location: String) {
        RequestState.now.location = location
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

    func getMetrics(_ input: Operations.GetMetrics.Input) async throws -> Operations.GetMetrics.Output {
        .ok(.init(body: .plainText(HTTPBody(metrics.render(databasePath: store.path, cacheUsage: cache.bytes)))))
    }

    func getOpenAPI(_ input: Operations.GetOpenAPI.Input) async throws -> Operations.GetOpenAPI.Output {
        .ok(.init(body: .yaml(HTTPBody(contract))))
    }
}

/// Converts between enums that share raw values (domain ↔ contract).
func convert<A: RawRepresentable, B: RawRepresentable>(_ value: A) -> B where A.RawValue == String, B.RawValue == String {
    guard let converted = B(rawValue: value.rawValue) else { preconditionFailure("enum \(B.self) lacks \(value.rawValue)") }
    return converted
}

/// Parses a date field of a request body, reporting a 422 for the named field.
func date(_ field: String, _ text: String?) throws -> CalendarDate? {
    let (date, errors) = Rules.date(field, text)
    try Problem.check(errors)
    return date
}
