import ArgumentParser
import Foundation
import GRDB
import Hummingbird
import MedvirkCore
import MedvirkStore
import Synchronization

/// The references the benchmark measures Medvirk against, and a fast loader for the export workload.
@main
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "medvirk-bench",
        abstract: "Benchmark references and data loading (see Benchmarks/README.md).",
        subcommands: [Framework.self, Fsync.self, Seed.self, Receiver.self])
}

/// The framework ceiling: a minimal Hummingbird route answering with fixed bytes from memory, with an ETag.
struct Framework: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Serve a file's bytes at every path, with ETag and 304; answer POSTs with 201.")

    @Option var port: Int
    @Option var body: String
    @Option var etag: String
    @Option(help: "The body answered to every POST.") var created: String?

    func run() async throws {
        let bytes = try Data(contentsOf: URL(fileURLWithPath: body))
        let tag = etag
        let router = Router()
        router.get("/**") { request, _ -> Response in
            if request.headers[.ifNoneMatch] == tag {
                return Response(status: .notModified, headers: [.eTag: tag])
            }
            return Response(status: .ok, headers: [.contentType: "application/json", .eTag: tag],
                            body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
        }
        // The POST ceiling: read the whole request body and answer 201 with the bytes of a real submission's
        // answer, without parsing or storing anything: what a request costs in this framework before its own work.
        let createdBytes = try created.map { try Data(contentsOf: URL(fileURLWithPath: $0)) } ?? Data()
        router.post("/**") { request, _ -> Response in
            _ = try await request.body.collect(upTo: 1 << 20)
            return Response(status: .created, headers: [.contentType: "application/json"],
                            body: ResponseBody(byteBuffer: ByteBuffer(bytes: createdBytes)))
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
        try await app.runService()
    }
}

/// The fsync ceiling: one-row durable transactions (WAL, synchronous=FULL), one after another.
struct Fsync: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Commit single-row durable transactions for a while; print the rate.")

    @Option var db: String
    @Option var seconds: Double = 5

    func run() async throws {
        let pool = try DatabasePool(path: db)
        // Set after opening: the pool's WAL set-up leaves its writer at synchronous=NORMAL.
        try await pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        try await pool.write { db in
            try db.execute(sql: "CREATE TABLE IF NOT EXISTS rows (id INTEGER PRIMARY KEY, body TEXT NOT NULL) STRICT")
        }
        var latencies: [Double] = []
        let clock = ContinuousClock()
        let start = clock.now
        let body = String(repeating: "x", count: 600)
        while clock.now - start < .milliseconds(Int64(seconds * 1000)) {
            let began = clock.now
            try await pool.write { db in try db.execute(sql: "INSERT INTO rows (body) VALUES (?)", arguments: [body]) }
            let elapsed = clock.now - began
            latencies.append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        }
        let total = clock.now - start
        let seconds = Double(total.components.seconds) + Double(total.components.attoseconds) / 1e18
        latencies.sort()
        func percentile(_ p: Double) -> Double { latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))] * 1000 }
        print(String(format: "%.1f %.3f %.3f", Double(latencies.count) / seconds, percentile(0.5), percentile(0.99)))
    }
}

/// Loads a consultation with many responses through the store, as partners would submit them.
struct Seed: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Create a consultation with N responses; print its id.")

    @Option var db: String
    @Option var migrations: String = "Migrations"
    @Option var responses: Int = 100_000

    func run() async throws {
        let store = try Store.open(path: db, migrations: try Migrator.load(directory: URL(fileURLWithPath: migrations)))
        let (token, _) = try await store.createToken(name: "bench partner", scope: .partner, municipalities: [])
        _ = try await store.createMunicipality(MunicipalityDraft(id: "benchby", name: "Benchby Kommune", country: .dk,
                                                                 timeZone: "Europe/Copenhagen", website: nil), actor: .service)
        let now = Date()
        let consultation = try await store.createConsultation(ConsultationDraft(
            municipalityId: "benchby", serviceAreaId: nil, title: "Trafikplan", summary: "Ny trafikplan", body: nil, caseNumber: nil,
            documents: [], opensAt: now - 3600, closesAt: now + 86_400, status: .published, audience: .public, latePolicy: .reject,
            publishResponses: .onApproval, conclusion: nil, tags: [], shortPeriodReason: "Benchmark"), actor: .service)
        let total = responses
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<64 {
                group.addTask {
                    for n in stride(from: worker, to: total, by: 64) {
                        let submission = Submission(
                            respondent: Respondent(kind: .citizen, name: "Borger \(n)", organisation: nil, email: "borger\(n)@example.dk",
                                                   address: "Vejen \(n)", onBehalfOf: nil, publishName: n % 2 == 0),
                            text: "Høringssvar nummer \(n): jeg bor ved vejen og har disse bemærkninger til trafikplanen.", partyId: nil)
                        _ = try await store.submitResponse(consultation: consultation.id, submission, token: token, idempotencyKey: "seed-\(n)",
                                                           actor: .service)
                    }
                }
            }
            try await group.waitForAll()
        }
        try store.close()
        print(consultation.id)
    }
}

/// Webhook receivers for the delivery workload: every POST is answered 204 and its arrival recorded by path
/// (the payload's `data.id` and the time, Unix seconds); `GET /arrivals?path=/r1` lists them as `id time` lines.
struct Receiver: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Answer webhook deliveries with 204 and record their arrival.")

    @Option var port: Int

    func run() async throws {
        let arrivals = Mutex<[String: [(String, Double)]]>([:])
        let router = Router()
        router.post("/**") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 1 << 20)
            let now = Date().timeIntervalSince1970
            let json = try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any]
            let id = (json?["data"] as? [String: Any])?["id"] as? String ?? "?"
            arrivals.withLock { $0[request.uri.path, default: []].append((id, now)) }
            return Response(status: .noContent)
        }
        router.get("/arrivals") { request, _ -> String in
            let path = request.uri.queryParameters.get("path") ?? ""
            return arrivals.withLock { $0[path, default: []] }.map { "\($0.0) \($0.1)" }.joined(separator: "\n")
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
        try await app.runService()
    }
}
