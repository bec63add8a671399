import Foundation
import Hummingbird
import MedvirkCore
import NIOCore

/// Reads the body of a POST, PUT or PATCH before its handler runs: 413 over the size limit, 408 when it
/// trickles in past its deadline, 415 unless its media type is one the operation declares in the contract,
/// 400 `invalid-json` for JSON that is not strictly RFC 8259 (`StrictJSON`), and the contract's field rules
/// (`BodyPolicy`); JSON text is brought to Unicode NFC (`TextNormalisation`). A PATCH's body is also kept parsed on the context, for JSON Merge Patch (RFC 7396).
struct RequestBodyMiddleware: RouterMiddleware {
    typealias Context = MedvirkRequestContext
    let maxBytes: Int
    /// Seconds a body may take to arrive in full.
    let timeout: Double
    let policy: BodyPolicy

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method.hasBody else { return try await next(request, context) }
        var request = request, context = context
        if context.route?.operation(request.method)?.mediaTypes == ["*/*"] {
            // A file upload: streamed to its handler, which enforces its own limit (`UploadReceiver`).
            context.declaredType = request.headers[.contentType]
            context.declaredLength = request.headers[.contentLength].flatMap(Int.init)
            return try await next(request, context)
        }
        var body = try await collect(&request)
        let declared = context.route?.operation(request.method)?.mediaTypes ?? []
        if body.readableBytes == 0, context.route?.operation(request.method)?.bodyIsOptional == true {
            // An optional body left out is `{}` (the generated decoder has no "absent" for an empty body).
            body = ByteBuffer(string: "{}")
            var head = request.head
            head.headerFields[.contentType] = "application/json"
            request = Request(head: head, body: RequestBody(buffer: body))
        }
        let mediaType = HeaderValues.mediaType(request.headers[.contentType])
        context.charset = HeaderValues.parameter(request.headers[.contentType], "charset")
        // Operations without a request body (withdraw) take an empty POST, whatever it says its type is.
        if body.readableBytes > 0 || (mediaType != nil && !declared.isEmpty) {
            guard let mediaType, declared.contains(mediaType) else { throw unsupported(request.headers[.contentType], declared) }
        }
        guard mediaType?.hasSuffix("json") == true, body.readableBytes > 0 else { return try await next(request, context) }
        // Strict RFC 8259 syntax first (no trailing commas, no repeated names), then the contract's field rules.
        try StrictJSON.check(body.readableBytesView)
        // Text is stored in Unicode NFC: a decomposed `å` becomes the one character before anything reads it.
        if let normal = TextNormalisation.nfcIfChanged(body.readableBytesView) {
            body = ByteBuffer(bytes: normal)
            request.body = RequestBody(buffer: body)
        }
        var json = try? JSONDecoder().decode(JSONValue.self, from: Data(body.readableBytesView))
        // Text written as `\u` escapes (Python's json.dumps, PHP's json_encode) is normalised once decoded.
        if Self.escapesNonASCII(body.readableBytesView), let decoded = json, let normal = decoded.normalisedText() {
            json = normal
            body = ByteBuffer(bytes: try JSONEncoder().encode(normal))
            request.body = RequestBody(buffer: body)
        }
        if let json, let template = context.route?.template {
            try policy.check(method: request.method.rawValue, template: template, body: json)
        }
        if request.method == .patch { context.mergePatch = json }
        return try await next(request, context)
    }

    /// True when the body has a `\uXXXX` escape of a character outside ASCII (cheap: most bodies have none).
    static func escapesNonASCII(_ bytes: ByteBufferView) -> Bool {
        var previous: UInt8 = 0, index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            if previous == UInt8(ascii: "\\") {
                if byte == UInt8(ascii: "u"), bytes.distance(from: index, to: bytes.endIndex) > 4 {
                    let high = bytes[bytes.index(index, offsetBy: 1)], next = bytes[bytes.index(index, offsetBy: 2)]
                    if high != UInt8(ascii: "0") || !(next == UInt8(ascii: "0")) { return true }
                    let third = bytes[bytes.index(index, offsetBy: 3)]
                    if !(UInt8(ascii: "0")...UInt8(ascii: "7")).contains(third) { return true }
                }
                previous = 0  // the escaped character ends the escape (`\\` is not the start of another)
            } else {
                previous = byte
            }
            index = bytes.index(after: index)
        }
        return false
    }

    func unsupported(_ raw: String?, _ declared: [String]) -> Problem {
        let expected = declared.isEmpty ? "no body" : "the body as " + declared.joined(separator: " or ")
        return Problem(status: 415, slug: "unsupported-media-type", title: "Unsupported media type",
                       detail: "Send \(expected); got '\(raw ?? "no Content-Type")'.")
    }

    /// Collects the body up to the limit and puts it back on the request for the generated decoder.
    func collect(_ request: inout Request) async throws -> ByteBuffer {
        let declared = request.headers[.contentLength].flatMap(Int.init)
        if let declared, declared > maxBytes { throw tooLarge }
        // A body that stops arriving is ended by the connection's idle timeout; one that trickles in is
        // checked against its deadline as each part arrives. (No timer task per request: that cost a tenth
        // of a submission's time.)
        let deadline = ContinuousClock.now + .milliseconds(Int64(timeout * 1000))
        // Sized once from Content-Length: appending part by part would double the buffer up to twice the body.
        var body = ByteBufferAllocator().buffer(capacity: max(0, declared ?? 0))
        do {
            for try await part in request.body {
                guard body.readableBytes + part.readableBytes <= maxBytes else { throw tooLarge }
                body.writeImmutableBuffer(part)
                if ContinuousClock.now > deadline {
                    throw Problem(status: 408, slug: "request-timeout", title: "Request timeout",
                                  detail: "The request body did not arrive within \(Int(timeout)) seconds.")
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
                detail: "The request body is over the limit of \(maxBytes) bytes.")
    }
}
