import Foundation
import HTTPTypes
import Hummingbird
import MedvirkCore
import NIOCore

/// What every middleware needs to know first: the request id, HEAD answered as GET (the router has GET
/// routes only), and the contract route, so logs and metrics name its template. Everything it learns goes
/// on the context; every answer comes from `RequestPipeline` and the router after it, so each is logged,
/// counted and given CORS headers there.
struct PreRoutingResponder<Next: HTTPResponder>: HTTPResponder where Next.Context == MedvirkRequestContext {
    typealias Context = MedvirkRequestContext

    let next: Next
    let routes: RouteTable
    let clients: ClientAddressResolver

    func respond(to request: Request, context: Context) async throws -> Response {
        var request = request, context = context
        context.requestId = Self.requestId(request.headers[.xRequestID])
        context.clientAddress = clients.resolve(peer: context.remoteAddress, headers: request.headers)
        context.route = routes.route(for: request.uri.path)
        context.method = request.method == .head ? "GET" : request.method.rawValue
        context.path = request.uri.path
        context.query = request.uri.query
        if request.method == .head {
            context.isHead = true
            var head = request.head
            head.method = .get
            request = Request(head: head, body: request.body)
        }
        var response = try await next.respond(to: request, context: context)
        response.headers[.xRequestID] = context.requestId
        if response.headers[.cacheControl] == nil { response.headers[.cacheControl] = "private, no-store" }
        Self.addSecurityHeaders(&response.headers)
        // HEAD sends the headers GET would, Content-Length included (RFC 9110 §9.3.2), and no body. A streamed
        // GET (an export) has no length until it is written, so its HEAD claims none rather than 0.
        if context.isHead {
            response = response.body.contentLength == nil
                ? Response(status: response.status, headers: response.headers, body: ResponseBody { writer in try await writer.finish(nil) })
                : response.createHeadResponse()
        }
        return response
    }

    /// `nosniff` on every answer, so a browser never reads one as another type; JSON and problem answers
    /// also forbid any content and framing (an API response never needs scripts, styles or frames). An HTML
    /// document (the hearing memo) may use inline styles and nothing else, and text the service writes is
    /// labelled UTF-8 (RFC 9110 §8.3: text has no charset of its own).
    static func addSecurityHeaders(_ headers: inout HTTPFields) {
        headers[.xContentTypeOptions] = "nosniff"
        guard let type = headers[.contentType] else { return }
        if type.contains("json") {
            headers[.contentSecurityPolicy] = "default-src 'none'; frame-ancestors 'none'"
        } else if type == "text/html" {
            headers[.contentType] = "text/html; charset=utf-8"
            headers[.contentSecurityPolicy] = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"
        } else if type == "text/markdown" || type == "text/csv" {
            headers[.contentType] = type + "; charset=utf-8"
        }
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
}
