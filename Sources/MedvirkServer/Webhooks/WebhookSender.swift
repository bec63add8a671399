import AsyncHTTPClient
import Foundation
import MedvirkCore
import NIOCore

/// Sends one delivery attempt: checks the URL's address again (`WebhookAddressPolicy`), POSTs the payload
/// to the checked address with Standard Webhooks headers, follows no redirect, and reads the verdict from
/// the answer. Connections are pooled per host and checked address (`PinnedClients`).
final class WebhookSender: Sendable {
    let policy: WebhookAddressPolicy
    private let clients: PinnedClients
    /// Seconds an attempt may take, from connecting to the end of the answer (10 unless a test says otherwise).
    let timeout: Int64
    /// Connections kept per host and address: the dispatcher's overall limit on attempts in flight.
    static let connectionsPerHost = 16
    /// How much of a receiver's answer is read (and thrown away) before the connection is given back.
    static let answerBytes = 64 << 10

    init(policy: WebhookAddressPolicy, timeout: Int64) {
        self.policy = policy
        self.timeout = timeout
        self.clients = PinnedClients(timeout: timeout)
    }

    /// How one attempt ended, before its verdict.
    private enum Outcome: Sendable {
        case answered(status: Int, retryAfter: String?)
        case failed(any Error)
        case timedOut
        /// The subscription changed while the attempt was under way (paused, deleted, a new URL or secret).
        case abandoned
    }

    /// One attempt; nil when it was abandoned because `stillCurrent` turned false (checked every 250 ms), so
    /// nothing more goes to a URL its owner has just replaced: not an attempt, the delivery stays pending.
    func send(_ delivery: DueDelivery, while stillCurrent: @escaping @Sendable () async -> Bool) async -> AttemptResult? {
        func failed(_ verdict: AttemptVerdict, _ error: String, status: Int? = nil, retryAfter: TimeInterval? = nil) -> AttemptResult {
            AttemptResult(delivery: delivery, verdict: verdict, statusCode: status, error: error, retryAfter: retryAfter)
        }
        let target: WebhookTarget, address: String
        switch await policy.check(delivery.url) {
        case .failure(let refusal): return failed(refusal.transient ? .retry : .fail, "refused: \(refusal.error.message)")
        case .success(let checked): (target, address) = checked
        }
        let client = await clients.client(host: target.writtenHost, address: address)
        // The whole attempt, the answer's body included, gets `timeout` seconds: a receiver that trickles its
        // answer must not hold a sending slot longer.
        let outcome = await withTaskGroup(of: Outcome?.self) { group in
            group.addTask {
                do {
                    let (status, retryAfter) = try await self.post(delivery, with: client)
                    return .answered(status: status, retryAfter: retryAfter)
                } catch { return .failed(error) }
            }
            group.addTask {
                try? await Task.sleep(for: .seconds(self.timeout))
                return Task.isCancelled ? nil : .timedOut
            }
            group.addTask {
                while !Task.isCancelled {
                    try? await Task.sleep(for: .milliseconds(250))
                    if !Task.isCancelled, !(await stillCurrent()) { return .abandoned }
                }
                return nil
            }
            var first: Outcome?
            while first == nil, let next = await group.next() { first = next }
            group.cancelAll()
            return first ?? .timedOut
        }
        switch outcome {
        case .abandoned: return nil
        case .timedOut: return failed(.retry, "timed out after \(timeout) s")
        case .failed(let error as HTTPClientError) where error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout:
            return failed(.retry, "timed out after \(timeout) s")
        case .failed(let error): return failed(.retry, "network error: \(String(describing: error).prefix(200))")
        case .answered(let status, let retryAfter):
            switch AttemptVerdict.of(status: status) {
            case .delivered: return AttemptResult(delivery: delivery, verdict: .delivered, statusCode: status, error: nil, retryAfter: nil)
            case .retry: return failed(.retry, "HTTP \(status)", status: status, retryAfter: RetrySchedule.retryAfter(retryAfter, now: Date()))
            case .fail:
                return failed(.fail, (300...399).contains(status) ? "HTTP \(status): redirects are not followed" : "HTTP \(status)", status: status)
            }
        }
    }

    /// POSTs the payload signed now; returns the answer's status and `Retry-After`, having read (and
    /// dropped) at most `answerBytes` of its body.
    private func post(_ delivery: DueDelivery, with client: HTTPClient) async throws -> (Int, String?) {
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
        let response = try await client.execute(request, timeout: .seconds(timeout))
        var read = 0
        for try await chunk in response.body {
            read += chunk.readableBytes
            if read > Self.answerBytes { break }
        }
        return (Int(response.status.code), response.headers.first(name: "Retry-After"))
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
    private let timeout: Int64
    static let capacity = 64

    init(timeout: Int64) { self.timeout = timeout }

    func client(host: String, address: String) -> HTTPClient {
        let key = "\(host)|\(address)"
        recent.removeAll { $0 == key }
        recent.append(key)
        if let found = clients[key] { return found }
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow,
                                                     timeout: .init(connect: .seconds(timeout), read: .seconds(timeout)))
        // As many connections to one host as the dispatcher sends at once, so none waits in the pool.
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: WebhookSender.connectionsPerHost)
        if host.lowercased() != address { configuration.dnsOverride = [host: address] }
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        clients[key] = client
        if recent.count > Self.capacity {
            let evicted = recent.removeFirst()
            if let old = clients.removeValue(forKey: evicted) {
                Task { [timeout] in
                    try? await Task.sleep(for: .seconds(timeout + 5))
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
