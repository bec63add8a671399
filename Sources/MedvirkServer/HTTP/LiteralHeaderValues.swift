import Foundation
import HTTPTypes
import OpenAPIRuntime

/// Keeps header values literal in both directions. Requests: the runtime percent-decodes every header value
/// it hands a handler, so `Idempotency-Key: dup-%41` arrived as `dup-A` and `a%20b` as `a b`; escaping `%`
/// first makes that decoding the identity, and a handler compares the bytes the client sent.
/// Responses: restores the literal values of the response headers handlers return. The OpenAPI runtime encodes header
/// values as URI components, so `"1a2b"` went out as `%221a2b%22` and `<…>; rel="next"` likewise
/// (swift-openapi-generator #827 and #857: https://github.com/apple/swift-openapi-generator/issues/827,
/// https://github.com/apple/swift-openapi-generator/issues/857). Percent-decoding is the exact inverse,
/// since the encoder escapes `%` itself.
struct LiteralHeaderValues: ServerMiddleware {
    func intercept(_ request: HTTPRequest, body: HTTPBody?, metadata: ServerRequestMetadata, operationID: String,
                   next: @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?))
        async throws -> (HTTPResponse, HTTPBody?) {
        var request = request
        if request.headerFields.contains(where: { $0.value.utf8.contains(UInt8(ascii: "%")) }) {
            var fields = HTTPFields()
            for field in request.headerFields {
                fields.append(HTTPField(name: field.name, value: field.value.replacingOccurrences(of: "%", with: "%25")))
            }
            request.headerFields = fields
        }
        var (response, responseBody) = try await next(request, body, metadata)
        guard response.headerFields.contains(where: { $0.value.utf8.contains(UInt8(ascii: "%")) }) else { return (response, responseBody) }
        var fields = HTTPFields()
        for field in response.headerFields {
            fields.append(HTTPField(name: field.name, value: field.value.removingPercentEncoding ?? field.value))
        }
        response.headerFields = fields
        return (response, responseBody)
    }
}
