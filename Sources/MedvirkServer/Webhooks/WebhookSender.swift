import AsyncHTTPClient
import Foundation
import MedvirkCore
import NIOCore

/// Sends one delivery attempt: checks the URL's address again (`WebhookAddressPolicy`), POSTs the payload
/// to the checked address with Standard Webhooks headers, follows no redirect, and reads the verdict from
/// the answer. Connections are pooled per host and checked address (`PinnedClients`).
final class WebhookSender: Sendable {
    let policy: WebhookAddressPolicy
    private let clients = PinnedClients()
    /// Seconds an attempt may take, connecting included.
    static let timeout: Int64 = 10
    /// How much of a receiver's answer is read (and thrown away) before the connection is given back.
    static let answerBytes = 64 << 10

    init(policy: WebhookAddressPolicy) { self.policy = policy }

    func send(_ delivery: DueDelivery) async -> AttemptResult {
        func failed(_ verdict: AttemptVerdict, _ error: String, status: Int? = nil, retryAfter: TimeInterval? = nil) -> AttemptResult {
            AttemptResult(delivery: delivery, verdict: verdict, statusCode: status, error: error, retryAfter: retryAfter)
        }
        let target: WebhookTarget, address: String
        switch await policy.check(delivery.url) {
        case .failure(let refusal): return failed(.fail, "refused: \(refusal.message)")
        case .success(let checked): (target, address) = checked
        }
        // The signature's timestamp is the real time of sending, which receivers compare with their clocks.
        let timestamp = Int(Date().timeIntervalSince1970)
        var request = HTTPClientRequest(url: delivery.url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "Medvirk-Webhooks/1")
        request.headers.add(name: "webhook-id", value: delivery.eventId)
        request.headers.add(name: "webhook-timestamp", value: String(timestamp))
        request.headers.add(name: "webhook-signature",
                            value: WebhookSignature.header(secrets: delivery.secrets, id: delivery.eventId, timestamp: timestamp, body: delivery.payload))
        request.body = .bytes(ByteBuffer(bytes: delivery.payload))
        let client = await clients.client(host: target.writtenHost, address: address)
        do {
            let response = try await client.execute(request, timeout: .seconds(Self.timeout))
            let status = Int(response.status.code)
            let retryAfter = RetrySchedule.retryAfter(response.headers.first(name: "Retry-After"), now: Date())
            var read = 0
            for try await chunk in response.body {
                read += chunk.readableBytes
                if read > Self.answerBytes { break }
            }
            let verdict = AttemptVerdict.of(status: status)
            switch verdict {
            case .delivered: return AttemptResult(delivery: delivery, verdict: .delivered, statusCode: status, error: nil, retryAfter: nil)
            case .retry: return failed(.retry, "HTTP \(status)", status: status, retryAfter: retryAfter)
            case .fail:
                return failed(.fail, (300...399).contains(status) ? "HTTP \(status): redirects are not followed" : "HTTP \(status)", status: status)
            }
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout {
            return failed(.retry, "timed out after \(Self.timeout) s")
        } catch {
            return failed(.retry, "network error: \(String(describing: error).prefix(200))")
        }
    }

    func shutdown() async { await clients.shutdown() }
}

/// HTTP clients that each connect to one checked address for one host name (async-http-client's
/// `dnsOverride`: the request keeps the original host for `Host` and TLS SNI and certificate checks), so
/// connections are pooled while the host resolves the same, and a changed answer gets a new client. At most
/// 64 are kept; the least recently used is shut down after its requests could have ended.
actor PinnedClients {
    private var clients: [String: HTTPClient] = [:]
    private var recent: [String] = []
    static let capacity = 64

    func client(host: String, address: String) -> HTTPClient {
        let key = "\(host)|\(address)"
        recent.removeAll { $0 == key }
        recent.append(key)
        if let found = clients[key] { return found }
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow,
                                                     timeout: .init(connect: .seconds(WebhookSender.timeout), read: .seconds(WebhookSender.timeout)))
        configuration.connectionPool = .init(idleTimeout: .seconds(60))
        if host.lowercased() != address { configuration.dnsOverride = [host: address] }
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        clients[key] = client
        if recent.count > Self.capacity {
            let evicted = recent.removeFirst()
            if let old = clients.removeValue(forKey: evicted) {
                Task {
                    try? await Task.sleep(for: .seconds(WebhookSender.timeout + 5))
                    try? await old.shutdown()
                }
            }
        }
        return client
    }

    func shutdown() async {
        for client in clients.values { try? await client.shutdown() }
        clients = [:]
    }
}
