import Foundation
import HTTPTypes
import Hummingbird
import Logging
import MedvirkCore
import MedvirkStore
import NIOCore
import Synchronization

/// Everything every endpoint shares, in front of the router: request ids, body limits and media types,
/// bearer authentication, conditional requests (`If-Match` under a write gate, `ETag`/`If-None-Match`),
/// `Cache-Control`, `Link` and `Location`. Errors here render as problems too.
struct FrontResponder<Router: HTTPResponder>: HTTPResponder where Router.Context == MedvirkRequestContext {
    typealias Context = MedvirkRequestContext

    let router: Router
    let routes: RouteTable
    let nulls: NullPolicy
    let store: Store
    let maxBodyBytes: Int
    let publicMaxAge: Int
    let cache: ResponseCache
    let metrics: ServiceMetrics
    let limiter: RateLimiter
    let bodyTimeout: Double
    let gate = AsyncGate()
    let tokenTouches = TokenTouches()

    func respond(to request: Request, context: Context) async throws -> Response {
        let started = ContinuousClock.now
        let requestId = Self.requestId(request.headers[.xRequestID])
        let state = RequestState(requestId: requestId, method: request.method.rawValue, path: request.uri.path)
        let route = routes.route(for: request.uri.path)
        var response = await RequestState.$current.withValue(state) {
            do {
                return try await handle(request, route: route, context: context, state: state)
            } catch {
                return ProblemRendering.render(error, path: request.uri.path, requestId: requestId, logger: context.logger)
            }
        }
        response.headers[.xRequestID] = requestId
        if response.headers[.cacheControl] == nil { response.headers[.cacheControl] = "private, no-store" }
        metrics.request(route: route?.template ?? "unmatched", method: request.method.rawValue,
                        status: Int(response.status.code), duration: ContinuousClock.now - started)
        return response
    }

    /// Echoes a sane `X-Request-Id`, or makes one.
    static func requestId(_ header: String?) -> String {
        if let header, (1...128).contains(header.utf8.count),
           header.utf8.allSatisfy({ $0 > 32 && $0 < 127 && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }) {
            return header
        }
        // 128 random bits in the UUID layout, cheaper than Foundation's UUID on the hot path.
        var random = SystemRandomNumberGenerator()
        let bits: (UInt64, UInt64) = (random.next(), random.next())
        var text: [UInt8] = []
        for (index, digit) in Hex.string(withUnsafeBytes(of: bits) { Array($0) }).utf8.enumerated() {
            if index == 8 || index == 12 || index == 16 || index == 20 { text.append(UInt8(ascii: "-")) }
            text.append(digit)
        }
        return String(decoding: text, as: UTF8.self)
    }

    func handle(_ request: Request, route: RouteTable.Route?, context original: Context, state: RequestState) async throws -> Response {
        var request = request
        let isHead = request.method == .head
        if isHead {
            var head = request.head
            head.method = .get
            request = Request(head: head, body: request.body)
        }
        if let early = try checkRoute(request, route) { return early }
        let live = ResponseCache.livePaths.contains(request.uri.path)
        // Anonymous and not a live path (health, metrics): throttled by address and answerable from the cache.
        let publicRead = request.headers[.authorization] == nil && !live
        if publicRead { try throttle(token: nil, original) }
        if request.method == .get, publicRead, let cached = fromCache(request, state: state) {
            return isHead ? Response(status: cached.status, headers: cached.headers, body: ResponseBody()) : cached
        }
        var logged = original
        logged.logger[metadataKey: "request_id"] = .string(state.requestId)
        let context = logged
        do {
            state.principal = try await authenticate(request.headers[.authorization])
        } catch {
            // Guessing tokens costs the guesser's address.
            try throttle(token: nil, context)
            throw error
        }
        if case .token(let token) = state.principal, !live { try throttle(token: token.id, context) }
        if [.post, .put, .patch, .delete].contains(request.method), state.principal.isAnonymous { throw Problem.unauthenticated }

        switch request.method {
        case .post, .put, .patch:
            let body = try await collectBody(&request)
            // Operations without a request body (withdraw) take an empty POST without a media type.
            if body.readableBytes > 0 || request.headers[.contentType] != nil { try checkMediaType(request) }
            state.rawBody = body
            // Merge patches need the parsed body; a POST needs it only for the null policy, so a body without
            // the letters `null` anywhere skips the second parse.
            if request.method != .post || Self.mentionsNull(body) {
                state.json = try? JSONDecoder().decode(JSONValue.self, from: Data(body.readableBytesView))
                if let json = state.json, let template = route?.template {
                    try nulls.check(method: request.method.rawValue, template: template, body: json)
                }
            }
            let collected = request
            if collected.method == .post {
                return try await finish(router.respond(to: collected, context: context), request: collected, state: state)
            }
            return try await gate.run { try await conditionalWrite(collected, context: context, state: state) }
        case .delete:
            let deletion = request
            return try await gate.run { try await conditionalWrite(deletion, context: context, state: state) }
        case .get:
            var response = try await finish(router.respond(to: request, context: context), request: request, state: state)
            if isHead { response.body = ResponseBody() }
            return response
        default:
            return try await router.respond(to: request, context: context)
        }
    }

    /// True when the bytes `null` occur anywhere in the body (a JSON `null` can only be spelled that way).
    static func mentionsNull(_ body: ByteBuffer) -> Bool {
        body.readableBytesView.withContiguousStorageIfAvailable { bytes in
            guard bytes.count >= 4 else { return false }
            for i in 0...(bytes.count - 4) where bytes[i] == UInt8(ascii: "n") && bytes[i + 1] == UInt8(ascii: "u")
                && bytes[i + 2] == UInt8(ascii: "l") && bytes[i + 3] == UInt8(ascii: "l") {
                return true
            }
            return false
        } ?? true
    }

    /// Takes one request from the token's rate-limit bucket, or the client address's without one.
    func throttle(token: String?, _ context: Context) throws {
        try limiter.take(token: token, address: context.clientAddress, now: store.clock.now())
    }

    // MARK: Routing

    /// Unknown paths are 404 and wrong methods 405 with `Allow`, before any body is read or token checked.
    /// OPTIONS without `Origin` answers with `Allow`; with it, the router's CORS middleware answers the preflight.
    func checkRoute(_ request: Request, _ route: RouteTable.Route?) throws -> Response? {
        let path = request.uri.path
        guard let allowed = route?.allowed else {
            throw Problem(status: 404, slug: "not-found", title: "Not found",
                          detail: "No resource at '\(path)'. The API lives under /v1; see /openapi.yaml.")
        }
        let allow = allowed.joined(separator: ", ")
        if request.method == .options {
            return request.headers[.origin] == nil ? Response(status: .noContent, headers: [.allow: allow]) : nil
        }
        guard allowed.contains(request.method.rawValue) else {
            throw Problem(status: 405, slug: "method-not-allowed", title: "Method not allowed",
                          detail: "\(request.method.rawValue) is not supported on \(path); use \(allow).", headers: ["Allow": allow])
        }
        return nil
    }

    // MARK: Authentication

    func authenticate(_ header: String?) async throws -> Principal {
        guard let header else { return .anonymous }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer",
              let secret = TokenSecret(bearer: parts[1].trimmingCharacters(in: .whitespaces)),
              let token = try store.authenticate(secret)
        else { throw Problem.invalidToken }
        touch(token.id)
        return .token(token)
    }

    /// Keeps `last_used_at` roughly current without a durable write on every request.
    func touch(_ tokenId: String) {
        let now = Date()
        let due = tokenTouches.times.withLock { touches -> Bool in
            if let last = touches[tokenId], now.timeIntervalSince(last) < 60 { return false }
            touches[tokenId] = now
            return true
        }
        if due { Task { [store] in try? await store.touchToken(tokenId, at: now) } }
    }

    // MARK: Request bodies

    func checkMediaType(_ request: Request) throws {
        let raw = request.headers[.contentType] ?? ""
        let mediaType = HeaderValues.mediaType(raw) ?? ""
        var accepted = ["application/json"]
        if request.method == .patch { accepted.append("application/merge-patch+json") }
        if request.uri.path.hasSuffix("/import") { accepted = ["text/csv"] }
        guard accepted.contains(mediaType) else {
            throw Problem(status: 415, slug: "unsupported-media-type", title: "Unsupported media type",
                          detail: "Send the body as \(accepted.joined(separator: " or ")); got '\(raw.isEmpty ? "no Content-Type" : raw)'.")
        }
    }

    func collectBody(_ request: inout Request) async throws -> ByteBuffer {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > maxBodyBytes { throw tooLarge }
        // A body that stops arriving is ended by the connection's idle timeout; one that trickles in is
        // checked against its deadline as each part arrives. (No timer task per request: that cost a tenth
        // of a submission's time.)
        let deadline = ContinuousClock.now + .milliseconds(Int64(bodyTimeout * 1000))
        var body = ByteBuffer()
        do {
            for try await part in request.body {
                guard body.readableBytes + part.readableBytes <= maxBodyBytes else { throw tooLarge }
                body.writeImmutableBuffer(part)
                if ContinuousClock.now > deadline {
                    throw Problem(status: 408, slug: "request-timeout", title: "Request timeout",
                                  detail: "The request body did not arrive within \(Int(bodyTimeout)) seconds.")
                }
            }
        } catch let problem as Problem {
            throw problem
        } catch {
            // The HTTP parser's error: the client's request broke off or was malformed, not our failure.
            throw Problem.badRequest("The request body ended before its declared length or was malformed.")
        }
        request.body = RequestBody(buffer: body)
        return body
    }

    var tooLarge: Problem {
        Problem(status: 413, slug: "payload-too-large", title: "Payload too large",
                detail: "The request body is over the limit of \(maxBodyBytes) bytes.")
    }

    // MARK: Conditional requests

    /// Runs a PATCH, PUT or DELETE; with `If-Match`, only when the caller's view of the resource is current.
    /// The handler raises the 412 (see `RequestState.checkPrecondition`) once the body has proved valid.
    func conditionalWrite(_ request: Request, context: Context, state: RequestState) async throws -> Response {
        if let ifMatch = request.headers[.ifMatch] {
            guard EntityTags.isWellFormed(ifMatch) else {
                throw Problem.badRequest("If-Match must be * or a list of quoted entity tags such as \"1a2b3c\".",
                                         slug: "invalid-precondition", errors: [FieldError("If-Match", "malformed entity tag")])
            }
            var head = request.head
            head.method = .get
            for name in [HTTPField.Name.ifMatch, .ifNoneMatch, .contentType, .contentLength] { head.headerFields[name] = nil }
            let current = try await router.respond(to: Request(head: head, body: RequestBody(buffer: ByteBuffer())), context: context)
            if current.status == .ok {
                let tag = EntityTags.tag(for: try await BodyCollector.collect(current.body))
                if !EntityTags.match(ifMatch, current: tag), !EntityTags.match(ifMatch, current: EntityTags.gzipVariant(of: tag)) {
                    state.failedPrecondition = Problem(
                        status: 412, slug: "precondition-failed", title: "Precondition failed",
                        detail: "The resource has changed: its ETag is \(tag), not \(ifMatch). Fetch it again and retry.")
                }
            }
        }
        let response = try await router.respond(to: request, context: context)
        if state.failedPrecondition != nil, !state.preconditionChecked, (200..<300).contains(response.status.code) {
            context.logger.critical("a write handler ignored a failed If-Match", metadata: ["path": "\(request.uri.path)"])
        }
        return try await finish(response, request: request, state: state)
    }

    // MARK: The public read path

    /// Answers an anonymous GET (not a live path) from the cache when its entry is still current; otherwise
    /// notes where the rendered response may be stored, with the generation read before rendering.
    func fromCache(_ request: Request, state: RequestState) -> Response? {
        guard cache.isEnabled else { return nil }
        let scope = request.uri.queryParameters["municipality"].map(String.init) ?? "*"
        let generation = store.generations.current(scope.isEmpty ? "*" : scope)
        let key = ResponseCache.key(for: request, gzip: Compression.acceptsGzip(request.headers[.acceptEncoding]))
        let found = cache.lookup(key, generation: generation, now: store.clock.now())
        metrics.cache(hit: found != nil)
        guard let entry = found else {
            state.cacheSlot = ResponseCache.Slot(key: key, generation: generation)
            return nil
        }
        var headers = entry.headers
        headers[.contentLength] = String(entry.body.readableBytes)
        return revalidated(Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: entry.body)), request: request)
    }

    /// Adds the headers that depend on the finished body: ETag, 304, Cache-Control, Link, Location; compresses
    /// JSON, CSV and calendars for clients that accept gzip; keeps anonymous answers in the cache.
    func finish(_ response: Response, request: Request, state: RequestState) async throws -> Response {
        var response = response
        if let location = state.location, response.status == .created { response.headers[.location] = location }
        for (name, value) in state.extraHeaders {
            if let field = HTTPField.Name(name) { response.headers[field] = value }
        }
        if let tag = state.streamTag, response.status == .ok {
            return revalidated(conditional(response, tag: tag, request: request, state: state), request: request)
        }
        guard response.status == .ok || response.status == .created,
              response.headers[.contentType]?.hasPrefix("application/problem+json") != true
        else { return response }

        var body = try await BodyCollector.collect(response.body)
        let list = state.list
        if list.isList {
            if let next = list.next {
                response.headers[.link] = "<\(Self.nextLink(path: request.uri.path, query: request.uri.query, parameter: list.parameter, cursor: next))>; rel=\"next\""
            } else if body.readableBytes > 0, body.getBytes(at: body.writerIndex - 1, length: 1) == [UInt8(ascii: "}")] {
                // The generated encoder leaves out nil fields; the convention is an explicit null.
                body.moveWriterIndex(to: body.writerIndex - 1)
                body.writeString(",\"next_cursor\":null}")
            }
        }
        var tag = EntityTags.tag(for: body)
        if Compression.isCompressible(response.headers[.contentType]) {
            // Appended: CORS may already vary on Origin.
            response.headers[.vary] = response.headers[.vary].map { $0 + ", Accept-Encoding" } ?? "Accept-Encoding"
            if body.readableBytes > Compression.threshold, Compression.acceptsGzip(request.headers[.acceptEncoding]) {
                body = try Compression.gzip(body)
                response.headers[.contentEncoding] = "gzip"
                tag = EntityTags.gzipVariant(of: tag)
            }
        }
        response.headers[.contentLength] = String(body.readableBytes)
        response.body = ResponseBody(byteBuffer: body)
        response = conditional(response, tag: tag, request: request, state: state)
        if response.status == .ok, let slot = state.cacheSlot, state.principal.isAnonymous {
            let now = store.clock.now()
            let until = min(now + cache.lifetime, try await store.nextTimeBoundary(after: now))
            cache.store(slot.key, ResponseCache.Entry(headers: response.headers, body: body, generation: slot.generation,
                                                      storedAt: now, validUntil: until))
        }
        return revalidated(response, request: request)
    }

    /// Sets `ETag`, and for reads `Cache-Control` and `Vary`.
    func conditional(_ response: Response, tag: String, request: Request, state: RequestState) -> Response {
        var response = response
        response.headers[.eTag] = tag
        guard request.method == .get else { return response }
        let cacheable = state.principal.isAnonymous && !ResponseCache.livePaths.contains(request.uri.path)
        response.headers[.cacheControl] = cacheable ? "public, max-age=\(state.maxAge ?? publicMaxAge)" : "private, no-store"
        response.headers[.vary] = response.headers[.vary].map { $0 + ", Authorization" } ?? "Authorization"
        return response
    }

    /// A 304 carrying the entity's `ETag`, `Cache-Control` and `Vary` when a GET's `If-None-Match` names the
    /// response's tag; the response itself otherwise. Applied last, so the cache keeps the full answer.
    func revalidated(_ response: Response, request: Request) -> Response {
        guard request.method == .get, let ifNoneMatch = request.headers[.ifNoneMatch], let tag = response.headers[.eTag],
              EntityTags.noneMatch(ifNoneMatch, current: tag) else { return response }
        var kept = HTTPFields()
        for name in [HTTPField.Name.eTag, .cacheControl, .vary] { kept[name] = response.headers[name] }
        return Response(status: .notModified, headers: kept, body: ResponseBody())
    }

    /// The same request with its cursor replaced.
    static func nextLink(path: String, query: String?, parameter: String, cursor: String) -> String {
        let kept = (query ?? "").split(separator: "&").filter { !$0.hasPrefix("\(parameter)=") }
        return path + "?" + (kept + ["\(parameter)=\(cursor)"]).joined(separator: "&")
    }
}

final class TokenTouches: Sendable {
    let times = Mutex<[String: Date]>([:])
}

extension HTTPField.Name {
    static let xRequestID = HTTPField.Name("X-Request-Id")!
    static let link = HTTPField.Name("Link")!
}
