import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import MedvirkCore
import MedvirkServer
import MedvirkStore
import NIOCore
import Synchronization
import Testing

let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
let contractText = try! String(contentsOf: packageRoot.appendingPathComponent("openapi.yaml"), encoding: .utf8)

/// A fresh service on its own temporary database, with an all-municipality admin token.
struct Service: Sendable {
    let store: Store
    let admin: String
    /// The time the store runs on; tests move it across opening times and deadlines.
    let clock: ManualClock

    static func make() async throws -> Service {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("medvirk-\(UUID().uuidString).sqlite").path
        let clock = ManualClock(Date())
        let store = try Store.open(path: path, migrations: try Migrator.load(directory: packageRoot.appendingPathComponent("Migrations")), clock: clock)
        let (_, admin) = try await store.createToken(name: "Test admin", scope: .admin, municipalities: [])
        return Service(store: store, admin: admin, clock: clock)
    }

    func token(_ scope: TokenScope, _ municipalities: [String] = []) async throws -> String {
        try await store.createToken(name: "Test \(scope.rawValue)", scope: scope, municipalities: municipalities).1
    }

    /// A token and its id.
    func tokenWithId(_ scope: TokenScope, _ municipalities: [String] = []) async throws -> (id: String, bearer: String) {
        let (info, bearer) = try await store.createToken(name: "Test \(scope.rawValue)", scope: scope, municipalities: municipalities)
        return (info.id, bearer)
    }
}

/// One HTTP exchange's result, with the body parsed as JSON when it is JSON.
struct Reply: Sendable {
    let status: HTTPResponse.Status
    let headers: HTTPFields
    let text: String

    var json: [String: any Sendable] { (try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: any Sendable]) ?? [:] }
    var data: [[String: any Sendable]] { json["data"] as? [[String: any Sendable]] ?? [] }
    func string(_ key: String) -> String? { json[key] as? String }
    var problemType: String? { string("type") }
    var fieldErrors: [String] { (json["errors"] as? [[String: String]] ?? []).compactMap { $0["field"] } }
    subscript(_ name: String) -> String? { HTTPField.Name(name).flatMap { headers[$0] } }
}

/// A client bound to one service, speaking as anonymous or as a token holder.
struct API: Sendable {
    let client: any TestClientProtocol
    let service: Service

    func call(_ method: HTTPRequest.Method, _ uri: String, token: String? = nil, body: String? = nil,
              contentType: String? = "application/json", headers: [String: String] = [:]) async throws -> Reply {
        var fields = HTTPFields()
        if let token { fields[.authorization] = "Bearer \(token)" }
        if body != nil, let contentType { fields[.contentType] = contentType }
        for (name, value) in headers { fields[HTTPField.Name(name)!] = value }
        let response = try await client.execute(uri: uri, method: method, headers: fields, body: body.map { ByteBuffer(string: $0) })
        return Reply(status: response.status, headers: response.headers, text: String(buffer: response.body))
    }

    func get(_ uri: String, token: String? = nil, headers: [String: String] = [:]) async throws -> Reply {
        try await call(.get, uri, token: token, headers: headers)
    }

    /// POST as admin, expecting 201; returns the created resource's id.
    @discardableResult
    func create(_ uri: String, _ body: String, token: String? = nil) async throws -> String {
        let reply = try await call(.post, uri, token: token ?? service.admin, body: body)
        try #require(reply.status == .created, "POST \(uri) gave \(reply.status): \(reply.text)")
        return try #require(reply.string("id"))
    }

    func patch(_ uri: String, _ body: String, token: String? = nil, headers: [String: String] = [:]) async throws -> Reply {
        try await call(.patch, uri, token: token ?? service.admin, body: body, contentType: "application/merge-patch+json", headers: headers)
    }

    func delete(_ uri: String, token: String? = nil, headers: [String: String] = [:]) async throws -> Reply {
        try await call(.delete, uri, token: token ?? service.admin, headers: headers)
    }
}

/// Runs a test against a fresh service through the router test framework.
func withAPI(configure: (inout ServerConfig) -> Void = { _ in }, _ test: @escaping @Sendable (API) async throws -> Void) async throws {
    let service = try await Service.make()
    var config = ServerConfig(contract: contractText, logLevel: .error)
    // Every answer in every test is held to the contract's declared statuses.
    let undeclared = Mutex<[String]>([])
    config.onUndeclaredStatus = { what in undeclared.withLock { $0.append(what) } }
    configure(&config)
    let app = try buildApplication(store: service.store, config: config)
    try await app.test(.router) { client in
        try await test(API(client: client, service: service))
    }
    let found = undeclared.withLock { $0 }
    #expect(found.isEmpty, "answers the contract does not declare: \(found)")
}

/// Creates a municipality with a service area and returns (municipality id, service area id).
func seedMunicipality(_ api: API, id: String = "testby", country: String = "DK") async throws -> (String, String) {
    try await api.create("/v1/municipalities", #"{"id":"\#(id)","name":"Testby Kommune","country":"\#(country)","time_zone":"Europe/Copenhagen"}"#)
    let area = try await api.create("/v1/service-areas", #"{"municipality_id":"\#(id)","name":"Ældre og Sundhed"}"#)
    return (id, area)
}

/// Creates a user council with 3 voting user seats and a non-voting staff seat.
@discardableResult
func seedCouncil(_ api: API, municipality: String, area: String? = nil, name: String = "Brugerråd Solhøj") async throws -> String {
    let areaField = area.map { #","service_area_id":"\#($0)""# } ?? ""
    return try await api.create("/v1/councils", #"""
        {"municipality_id":"\#(municipality)"\#(areaField),"name":"\#(name)","kind":"user_council","unit":"Aktivitetscenter Solhøj",
         "term_years":2,"min_meetings_per_year":4,
         "seats":[{"group":"users","count":3,"voting":true},{"group":"staff","count":1,"voting":false}]}
        """#)
}

func expectProblem(_ reply: Reply, _ status: HTTPResponse.Status, _ slug: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(reply.status == status, "expected \(status), got \(reply.status): \(reply.text)", sourceLocation: sourceLocation)
    #expect(reply["Content-Type"] == "application/problem+json", sourceLocation: sourceLocation)
    #expect(reply.json["status"] as? Int == status.code, sourceLocation: sourceLocation)
    #expect(reply.string("title") != nil && reply.string("detail") != nil, sourceLocation: sourceLocation)
    if let slug { #expect(reply.problemType?.hasSuffix("/" + slug) == true, "type was \(reply.problemType ?? "nil")", sourceLocation: sourceLocation) }
}

/// RFC 3339 in UTC, as the contract spells timestamps.
func rfc3339(_ date: Date) -> String { date.formatted(.iso8601) }

/// Creates a published consultation around the service's clock and returns its id. Its period is short, so it
/// carries a `short_period_reason` unless `extra` gives one.
@discardableResult
func seedConsultation(_ api: API, municipality: String, opensIn: TimeInterval = -3600, closesIn: TimeInterval = 86_400,
                      extra: String = "") async throws -> String {
    let now = api.service.clock.now()
    let reason = extra.contains("short_period_reason") ? "" : #","short_period_reason":"Kort frist i testen""#
    return try await api.create("/v1/consultations", #"""
        {"municipality_id":"\#(municipality)","title":"Ombygning af Åvej","summary":"Cykelsti og træer","status":"published",
         "opens_at":"\#(rfc3339(now + opensIn))","closes_at":"\#(rfc3339(now + closesIn))"\#(reason)\#(extra)}
        """#)
}

/// Submits a response as a partner; returns the reply.
func submit(_ api: API, _ consultation: String, token: String, key: String, text: String = "Jeg støtter forslaget.",
            extra: String = "") async throws -> Reply {
    try await api.call(.post, "/v1/consultations/\(consultation)/responses", token: token, body: #"""
        {"respondent":{"kind":"citizen","name":"Jens Hansen","email":"jens@example.dk","address":"Åvej 3","publish_name":true},
         "text":"\#(text)"\#(extra)}
        """#, headers: ["Idempotency-Key": key])
}

/// Fails the test unless the reply is a 2xx.
func expectOK(_ reply: Reply, sourceLocation: SourceLocation = #_sourceLocation) throws {
    try #require((200..<300).contains(reply.status.code), "\(reply.status): \(reply.text)", sourceLocation: sourceLocation)
}

/// Tells concurrent readers that the writers are done.
actor Flag {
    private(set) var isDone = false
    func finish() { isDone = true }
}
