import Foundation
import HTTPTypes
import Hummingbird
import MedvirkStore
import NIOCore

/// Finishes a successful answer: a strong `ETag` from its exact bytes (or the handler's own, for streamed
/// downloads), gzip for text over 1 KiB when the client accepts it, `Content-Length`, and for reads
/// `Cache-Control` (public for anonymous callers, private otherwise) and `Vary`.
struct RepresentationMiddleware: RouterMiddleware {
    typealias Context = MedvirkRequestContext
    /// `max-age` of public answers whose handler names none.
    let publicMaxAge: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        guard response.status == .ok || response.status == .created || response.status == .partialContent,
              response.headers[.contentType]?.hasPrefix("application/problem+json") != true
        else { return response }
        if response.headers[.eTag] != nil {
            // A streamed body is not read for an entity tag; its handler named one.
            return cacheHeaders(response, request, context)
        }
        var body = try await BodyCollector.collect(response.body)
        if context.route?.operation(request.method)?.isList == true, response.headers[.link] == nil {
            body = Self.withNullCursor(body)
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
        response.headers[.eTag] = tag
        response.headers[.contentLength] = String(body.readableBytes)
        response.body = ResponseBody(byteBuffer: body)
        return cacheHeaders(response, request, context)
    }

    /// The last page's `next_cursor` is an explicit null, as the contract says. The generated encoder leaves
    /// nil fields out (swift-openapi-generator #934, https://github.com/apple/swift-openapi-generator/issues/934),
    /// so the field is added to the page's closing brace.
    static func withNullCursor(_ body: ByteBuffer) -> ByteBuffer {
        guard body.readableBytes > 0, body.getBytes(at: body.writerIndex - 1, length: 1) == [UInt8(ascii: "}")] else { return body }
        var body = body
        body.moveWriterIndex(to: body.writerIndex - 1)
        body.writeString(",\"next_cursor\":null}")
        return body
    }

    /// `Cache-Control` and `Vary` for reads: public only for anonymous callers off the live paths.
    func cacheHeaders(_ response: Response, _ request: Request, _ context: Context) -> Response {
        guard request.method == .get else { return response }
        var response = response
        let cacheable = context.principal.isAnonymous && !context.isLivePath
        response.headers[.cacheControl] = cacheable ? response.headers[.cacheControl] ?? "public, max-age=\(publicMaxAge)" : "private, no-store"
        response.headers[.vary] = response.headers[.vary].map { $0 + ", Authorization" } ?? "Authorization"
        return response
    }
}

/// A GET whose `If-None-Match` names the answer's entity tag gets a 304 carrying `ETag`, `Cache-Control` and
/// `Vary` (RFC 9110 §13.1.2, §15.4.5), a ranged one (206) too: `If-None-Match` is evaluated before `Range`
/// (§13.2.2). Outside the cache, so the cache keeps full answers.
struct RevalidationMiddleware: RouterMiddleware {
    typealias Context = MedvirkRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let response = try await next(request, context)
        guard request.method == .get, response.status == .ok || response.status == .partialContent, let ifNoneMatch = request.headers[.ifNoneMatch],
              let tag = response.headers[.eTag], EntityTags.noneMatch(ifNoneMatch, current: tag) else { return response }
        var kept = HTTPFields()
        for name in [HTTPField.Name.eTag, .cacheControl, .vary] { kept[name] = response.headers[name] }
        return Response(status: .notModified, headers: kept, body: ResponseBody())
    }
}

/// Anonymous GETs answered from memory while the write generation they were read at is current (see
/// `ResponseCache`); a miss is stored once the inner middlewares have finished it.
struct PublicCacheMiddleware: RouterMiddleware {
    typealias Context = MedvirkRequestContext
    let cache: ResponseCache
    let store: Store
    let metrics: ServiceMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard cache.isEnabled, request.method == .get, request.headers[.authorization] == nil,
              !context.isLivePath
        else { return try await next(request, context) }
        let generation = store.generations.current(Self.scope(request, context))
        let key = ResponseCache.key(for: request, gzip: Compression.acceptsGzip(request.headers[.acceptEncoding]))
        let found = cache.lookup(key, generation: generation, now: store.clock.now())
        metrics.cache(hit: found != nil)
        if let entry = found {
            var headers = entry.headers
            headers[.contentLength] = String(entry.body.readableBytes)
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: entry.body))
        }
        var response = try await next(request, context)
        // Downloads (hosted files) are streamed, never held in memory.
        guard response.status == .ok, response.headers[.contentDisposition] == nil else { return response }
        let body = try await BodyCollector.collect(response.body)
        response.body = ResponseBody(byteBuffer: body)
        let now = store.clock.now()
        let until = min(now + cache.lifetime, try await store.nextTimeBoundary(after: now))
        cache.store(key, ResponseCache.Entry(headers: response.headers, body: body, generation: generation, storedAt: now, validUntil: until))
        return response
    }

    /// The write generation a cached answer is keyed by: that of the municipality that owns all the data in
    /// it, or of everything ("*"). Only a route whose contract declares `municipality` as the filter of what
    /// it lists names its owner, and only with one plain slug; any other caller-supplied value (a parameter
    /// the route ignores, another spelling, a repeat, a percent-encoded name the handler decodes) must not
    /// choose the generation, or a write that hides something would leave the old answer served.
    static func scope(_ request: Request, _ context: MedvirkRequestContext) -> String {
        guard context.route?.operation(request.method)?.queryParameters.contains("municipality") == true,
              let query = request.uri.query else { return "*" }
        var values: [String] = []
        for item in query.split(separator: "&", omittingEmptySubsequences: false) {
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            // Decoded as the generated handler decodes names and values; anything undecodable is not trusted.
            guard let name = String(parts[0]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding else { return "*" }
            guard name == "municipality" else { continue }
            guard parts.count == 2, let value = String(parts[1]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding
            else { return "*" }
            values.append(value)
        }
        guard values.count == 1, let slug = values.first, !slug.isEmpty,
              slug.utf8.allSatisfy({ (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x2D })
        else { return "*" }
        return slug
    }
}
