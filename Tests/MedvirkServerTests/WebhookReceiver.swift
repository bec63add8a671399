import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import MedvirkCore
import MedvirkServer
import Synchronization
import Testing

/// One request a test receiver got.
struct Received: Sendable {
    let path: String
    /// The `Host` the request named.
    let authority: String?
    let headers: [String: String]
    let body: String
    var json: [String: any Sendable] { (try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: any Sendable]) ?? [:] }
    var type: String { json["type"] as? String ?? "" }
    var dataId: String { (json["data"] as? [String: any Sendable])?["id"] as? String ?? "" }
}

/// A webhook receiver on 127.0.0.1 (Hummingbird, on a port of its own): it records every request and answers
/// each path with the statuses scripted for it, in turn (the last one repeats; unscripted paths get 200).
final class WebhookReceiver: Sendable {
    private let state = Mutex<(received: [Received], scripts: [String: [(Int, [String: String])]])>(([], [:]))

    /// A scripted status that answers 200 and then trickles its body for a minute.
    static let trickle = 0

    /// Answers requests to `path` with these statuses and headers, one per request; the last repeats.
    func script(_ path: String, _ answers: [(Int, [String: String])]) { state.withLock { $0.scripts[path] = answers } }

    func received(_ path: String? = nil) -> [Received] { state.withLock { $0.received.filter { path == nil || $0.path == path } } }

    /// Waits (real time, up to 15 s) until `path` got at least `count` requests; returns them.
    func wait(_ path: String, count: Int, sourceLocation: SourceLocation = #_sourceLocation) async throws -> [Received] {
        for _ in 0..<1500 {
            let got = received(path)
            if got.count >= count { return got }
            try await Task.sleep(for: .milliseconds(10))
        }
        Issue.record("\(path) got \(received(path).count) requests, not \(count)", sourceLocation: sourceLocation)
        return received(path)
    }

    private func answer(_ request: Request) async throws -> Response {
        var buffer = try await request.body.collect(upTo: 1 << 20)
        let body = buffer.readString(length: buffer.readableBytes) ?? ""
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName] = field.value }
        let path = request.uri.path
        let (status, extra) = state.withLock { state -> (Int, [String: String]) in
            state.received.append(Received(path: path, authority: request.head.authority, headers: headers, body: body))
            guard var script = state.scripts[path], let first = script.first else { return (200, [:]) }
            if script.count > 1 { script.removeFirst(); state.scripts[path] = script }
            return first
        }
        var fields = HTTPFields()
        for (name, value) in extra { fields[HTTPField.Name(name)!] = value }
        if status == Self.trickle {
            // 200 at once, then a body of a byte every 200 ms that would take a minute.
            return Response(status: .ok, headers: fields, body: ResponseBody(contentLength: 300) { writer in
                for _ in 0..<300 {
                    try await writer.write(ByteBuffer(string: "x"))
                    try await Task.sleep(for: .milliseconds(200))
                }
                try await writer.finish(nil)
            })
        }
        return Response(status: .init(code: status), headers: fields)
    }

    /// Runs `test` with the receiver listening; passes its base URL (`http://127.0.0.1:<port>`).
    func run(_ test: @escaping @Sendable (String) async throws -> Void) async throws {
        let router = Router()
        router.post("**") { request, _ in try await self.answer(request) }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            try await test("http://127.0.0.1:\(try #require(client.port))")
        }
    }
}

/// Resolves the names a test gives it, and nothing else, without DNS.
final class FakeResolver: HostResolver {
    private let names = Mutex<[String: [String]]>([:])

    func set(_ host: String, _ addresses: [String]) { names.withLock { $0[host] = addresses } }

    /// The name stops resolving, as when DNS is down.
    func remove(_ host: String) { names.withLock { $0[host] = nil } }

    func addresses(of host: String, port: Int) async throws -> [String] {
        guard let found = names.withLock({ $0[host] }) else { throw CancellationError() }
        return found
    }
}

/// True when one of the `webhook-signature` header's signatures is that of `secret` (Standard Webhooks).
func signatureVerifies(_ received: Received, secret: String) -> Bool {
    guard let id = received.headers["webhook-id"], let stamp = received.headers["webhook-timestamp"].flatMap(Int.init),
          let header = received.headers["webhook-signature"],
          let expected = WebhookSignature.sign(secret: secret, id: id, timestamp: stamp, body: Data(received.body.utf8))
    else { return false }
    return header.split(separator: " ").contains { $0 == expected }
}
