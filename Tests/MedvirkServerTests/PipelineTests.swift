import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import MedvirkAPI
import MedvirkCore
@testable import MedvirkServer
import MedvirkStore
import NIOCore
import NIOEmbedded
import Synchronization
import Testing

/// Collects log records in memory.
final class LogRecorder: Sendable {
    struct Record: Sendable {
        var message: String
        var metadata: [String: String]
    }

    let records = Mutex<[Record]>([])

    var requests: [Record] { records.withLock { $0.filter { $0.message == "request" } } }

    func handler(label: String) -> any LogHandler { Handler(recorder: self) }

    struct Handler: LogHandler {
        let recorder: LogRecorder
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .info
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(level: Logger.Level, message: Logger.Message, metadata explicit: Logger.Metadata?, source: String,
                 file: String, function: String, line: UInt) {
            let all = self.metadata.merging(explicit ?? [:]) { $1 }
            recorder.records.withLock { $0.append(Record(message: message.description, metadata: all.mapValues { "\($0)" })) }
        }
    }
}

/// The request pipeline as a whole: every answer is logged once, counted and given CORS headers, whichever
/// middleware (or the cache) produced it; handlers can be called like functions.
@Suite struct PipelineTests {
    @Test func everyRequestIsLoggedOnceWithItsRouteTemplateAndNoPersonalData() async throws {
        let recorder = LogRecorder()
        let service = try await Service.make()
        var config = ServerConfig(contract: contractText, logLevel: .info)
        config.addressRateLimit = RateLimit(perMinute: 60, burst: 12)
        let app = try buildApplication(store: service.store, config: config,
                                       logger: Logger(label: "test", factory: recorder.handler))
        try await app.test(.router) { client in
            let api = API(client: client, service: service)
            let (municipality, _) = try await seedMunicipality(api)
            let council = try await seedCouncil(api, municipality: municipality)
            recorder.records.withLock { $0.removeAll() }
            let partner = try await service.token(.partner)
            var statuses: [HTTPResponse.Status] = []
            statuses.append(try await api.get("/v1/councils/\(council)").status)                       // 200, stored
            statuses.append(try await api.get("/v1/councils/\(council)").status)                       // 200, cache hit
            statuses.append(try await api.get("/v1/councils?municipality=\(municipality)&q=Jens%20Hansen&jens@example.dk&kind=x").status)
            statuses.append(try await api.get("/v1/nowhere/\(council)").status)                        // 404
            statuses.append(try await api.call(.put, "/v1/councils").status)                           // 405
            statuses.append(try await api.get("/v1/councils", token: "mvk_abcdefghijkl_" + String(repeating: "x", count: 43)).status) // 401
            statuses.append(try await api.call(.post, "/v1/councils", token: partner, body: "{}").status)  // 403 or 422
            statuses.append(try await api.patch("/v1/councils/\(council)", #"{"name":"Nyt navn"}"#, headers: ["If-Match": "\"stale\""]).status) // 412
            let lines = recorder.requests
            #expect(lines.count == statuses.count, "\(lines.map(\.metadata))")
            #expect(lines.map { $0.metadata["status"] } == statuses.map { String($0.code) })
            #expect(lines.map { $0.metadata["route"] } == [
                "/v1/councils/{council_id}", "/v1/councils/{council_id}", "/v1/councils", "unmatched", "/v1/councils",
                "/v1/councils", "/v1/councils", "/v1/councils/{council_id}",
            ])
            #expect(lines[2].metadata["query"] == "municipality,q,unknown,kind")
            #expect(lines[5].metadata["token_id"] == "abcdefghijkl")
            let text = recorder.records.withLock { $0.map { "\($0.message) \($0.metadata)" }.joined(separator: "\n") }
            #expect(!text.contains("Jens") && !text.contains("jens"))
            #expect(!text.contains(String(repeating: "x", count: 43)))
            #expect(!text.contains("/v1/councils/\(council)"))
            #expect(lines.allSatisfy { $0.metadata["request_id"]?.isEmpty == false && $0.metadata["duration_ms"] != nil })
            #expect(lines.allSatisfy { $0.metadata["client_address"] == nil }, "client addresses are personal data")
        }
    }

    @Test func clientAddressesAreLoggedOnlyWhenAsked() async throws {
        let recorder = LogRecorder()
        let service = try await Service.make()
        var config = ServerConfig(contract: contractText, logLevel: .info)
        config.logClientAddress = true
        config.trustedProxies = [AddressRange("unix")!]
        let app = try buildApplication(store: service.store, config: config, logger: Logger(label: "test", factory: recorder.handler))
        try await app.test(.router) { client in
            _ = try await API(client: client, service: service).get("/v1/councils", headers: ["X-Forwarded-For": "192.0.2.44"])
            #expect(recorder.requests.last?.metadata["client_address"] == "192.0.2.44")
        }
    }

    @Test func errorsAndCacheHitsCarryCORSHeadersAndAreCounted() async throws {
        try await withAPI(configure: {
            $0.corsOrigins = ["https://www.testby.dk"]
            $0.addressRateLimit = RateLimit(perMinute: 60, burst: 8)
        }) { api in
            let origin = ["Origin": "https://www.testby.dk"]
            let (municipality, _) = try await seedMunicipality(api)
            _ = try await api.get("/v1/councils?municipality=\(municipality)", headers: origin)
            let hit = try await api.get("/v1/councils?municipality=\(municipality)", headers: origin)
            let notFound = try await api.get("/v1/nowhere", headers: origin)
            let wrongMethod = try await api.call(.put, "/v1/councils", headers: origin)
            let badToken = try await api.get("/v1/councils", token: "nonsense", headers: origin)
            for reply in [hit, notFound, wrongMethod, badToken] {
                #expect(reply["Access-Control-Allow-Origin"] == "https://www.testby.dk", "\(reply.status)")
                #expect(reply["X-Request-Id"] != nil)
                // The Fetch standard reads this from the actual response, not the preflight.
                #expect(reply["Access-Control-Expose-Headers"]?.contains("ETag") == true, "\(reply.status)")
            }
            #expect(hit.status == .ok && notFound.status == .notFound && wrongMethod.status == .methodNotAllowed)
            #expect(badToken.status == .unauthorized)
            var limited = try await api.get("/v1/municipalities", headers: origin)
            for _ in 0..<10 where limited.status != .tooManyRequests { limited = try await api.get("/v1/municipalities", headers: origin) }
            expectProblem(limited, .tooManyRequests)
            #expect(limited["Access-Control-Allow-Origin"] == "https://www.testby.dk")
            #expect(limited["Retry-After"] != nil)
            #expect(limited["Access-Control-Expose-Headers"]?.contains("Retry-After") == true, "a page that hits the limit can read Retry-After")
            let tooLarge = try await api.call(.post, "/v1/councils", token: api.service.admin, body: String(repeating: " ", count: 2 << 20), headers: origin)
            let wrongType = try await api.call(.post, "/v1/councils", token: api.service.admin, body: "{}", contentType: "text/plain", headers: origin)
            for reply in [tooLarge, wrongType] {
                #expect(reply["Access-Control-Expose-Headers"]?.contains("X-Request-Id") == true, "\(reply.status)")
            }
            let metrics = try await api.get("/metrics", token: api.service.admin).text
            #expect(metrics.contains(#"route="unmatched""#))
            #expect(metrics.contains(#"method="PUT",status="405""#) || metrics.contains(#"status="405""#))
            #expect(metrics.contains(#"status="429""#))
            #expect(metrics.contains(#"status="401""#))
        }
    }

    /// A request the generated layer cannot even read is the client's error: 400, never 500.
    @Test func aQueryThatCannotBeParsedIsABadRequest() async throws {
        try await withAPI { api in
            for query in ["jens@example.dk", "limit", "&&", "limit=5&cursor"] {
                expectProblem(try await api.get("/v1/councils?\(query)"), .badRequest)
                expectProblem(try await api.get("/v1/consultations?\(query)"), .badRequest)
            }
        }
    }

    /// As swift-openapi-generator's hello-world example calls its handler: no HTTP, no hidden state.
    @Test func aHandlerCanBeCalledLikeAFunction() async throws {
        let service = try await Service.make()
        let handlers = APIHandlers(store: service.store, contract: contractText, metrics: ServiceMetrics(),
                                   cache: ResponseCache(budget: 0, lifetime: 0),
                                   uploads: UploadReceiver(store: service.store, detector: try MediaTypeDetector(), scanner: ClamdScanner(address: nil),
                                                           maxBytes: 1 << 20))
        guard case .ok(let health) = try await handlers.getHealthz(.init()) else { Issue.record("not ok"); return }
        #expect(try health.body.json.status == .ok)
        try await service.store.createMunicipality(
            MunicipalityDraft(id: "testby", name: "Testby Kommune", country: .dk, timeZone: "Europe/Copenhagen", website: nil), actor: .service)
        guard case .ok(let list) = try await handlers.listMunicipalities(.init(query: .init(limit: 10))) else {
            Issue.record("not ok")
            return
        }
        #expect(try list.body.json.data.map(\.id) == ["testby"])
        #expect(list.headers.link == nil)
        // Without a request there is no caller: writes are refused, not attributed to anyone.
        await #expect(throws: Problem.self) {
            _ = try await handlers.deleteMunicipality(.init(path: .init(municipalityId: "testby")))
        }
    }
}

/// Writes to one resource wait for each other, but only once their whole body has arrived.
@Suite struct WriteGateTests {
    @Test func aStalledUploadDoesNotHoldTheResourcesWriteGate() async throws {
        let service = try await Service.make()
        var config = ServerConfig(contract: contractText, logLevel: .error)
        // Were the gate taken before the body, the stalled upload would end (408) after this and release it
        // before the second PATCH could finish: the order checked below would then be reversed. Long enough
        // that the second PATCH finishes first on a loaded machine (the whole suite runs in parallel on two
        // cores; at 2 s it sometimes did not); when the gate is right, the test never waits for it.
        config.bodyTimeout = 15
        let responder = try buildResponder(store: service.store, config: config, usage: TokenUsageRecorder(store: service.store, logger: Logger(label: "test")))
        func send(_ method: HTTPRequest.Method, _ path: String, _ body: RequestBody, type: String = "application/json",
                  token: String? = nil) async throws -> Response {
            let request = Request(
                head: .init(method: method, scheme: "http", authority: "localhost", path: path,
                            headerFields: [.authorization: "Bearer \(token ?? service.admin)", .contentType: type]),
                body: body)
            let context = MedvirkRequestContext(source: .init(channel: NIOAsyncTestingChannel(), logger: Logger(label: "test")))
            return try await responder.respond(to: request, context: context)
        }
        let municipality = try await send(.post, "/v1/municipalities", RequestBody(buffer: ByteBuffer(string:
            #"{"id":"testby","name":"Testby Kommune","country":"DK","time_zone":"Europe/Copenhagen"}"#)))
        #expect(municipality.status == .created)
        let created = try await send(.post, "/v1/councils", RequestBody(buffer: ByteBuffer(string:
            #"{"municipality_id":"testby","name":"Brugerråd Solhøj","kind":"user_council","seats":[]}"#)))
        let createdBody = try await BodyCollector.collect(created.body)
        let council = try #require(try JSONSerialization.jsonObject(with: Data(buffer: createdBody)) as? [String: Any])["id"] as? String ?? ""

        // A partner's PATCH on the council whose body never finishes arriving.
        let (parts, upload) = AsyncStream<ByteBuffer>.makeStream()
        upload.yield(ByteBuffer(string: #"{"na"#))
        let (reading, readingStarted) = AsyncStream<Void>.makeStream()
        let body = NoticedBody(parts: parts, onFirstRead: readingStarted)
        let partner = try await service.token(.partner)
        let stalledDone = Flag()
        let stalled = Task {
            let response = try await send(.patch, "/v1/councils/\(council)", RequestBody(asyncSequence: body),
                                          type: "application/merge-patch+json", token: partner)
            await stalledDone.finish()
            return response.status
        }
        // Once the server is reading that body, the admin's PATCH of the same council goes through. A byte
        // trickles in now and then, so that were the gate held during the upload, the upload would meet its
        // deadline (408) and let the admin's PATCH through after it rather than hang the test.
        for await _ in reading { break }
        let adminDone = Flag()
        let trickle = Task {
            while await !adminDone.isDone {
                upload.yield(ByteBuffer(string: " "))
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        let patched = try await send(.patch, "/v1/councils/\(council)", RequestBody(buffer: ByteBuffer(string: #"{"unit":"Skolen ved Åen"}"#)),
                                     type: "application/merge-patch+json")
        await adminDone.finish()
        #expect(patched.status == .ok)
        #expect(await stalledDone.isDone == false, "the PATCH waited for the stalled upload")
        try await trickle.value
        upload.finish()
        #expect(try await stalled.value.code >= 400)
    }
}

/// A request body that says when the server first asks it for bytes.
struct NoticedBody: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let parts: AsyncStream<ByteBuffer>
    let onFirstRead: AsyncStream<Void>.Continuation

    struct AsyncIterator: AsyncIteratorProtocol {
        var inner: AsyncStream<ByteBuffer>.AsyncIterator
        let onFirstRead: AsyncStream<Void>.Continuation

        mutating func next() async -> ByteBuffer? {
            onFirstRead.yield()
            return await inner.next()
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(inner: parts.makeAsyncIterator(), onFirstRead: onFirstRead) }
}
