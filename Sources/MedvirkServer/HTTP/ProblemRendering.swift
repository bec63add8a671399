import Foundation
import HTTPTypes
import Hummingbird
import Logging
import MedvirkCore
import OpenAPIRuntime

/// Turns any error into an RFC 9457 `application/problem+json` response. Bad input is a 4xx; only our own
/// bugs become a 500, and its detail never echoes internals.
enum ProblemRendering {
    static func problem(for error: any Error) -> Problem {
        switch error {
        case let problem as Problem:
            return problem
        case let error as ServerError:
            if let problem = error.underlyingError as? Problem { return problem }
            if let decoding = error.underlyingError as? DecodingError { return describe(decoding) }
            let status = Int(error.httpStatus.code)
            if (400..<500).contains(status) {
                return Problem(status: status, slug: slug(for: status), title: title(for: status), detail: error.causeDescription)
            }
            // No decoded input means the request itself could not be read (a query item without `=`, say):
            // the client's error, not ours.
            if error.operationInput == nil {
                return Problem.badRequest("The request could not be read: \(error.causeDescription).", slug: "malformed-request",
                                          errors: [FieldError("request", error.causeDescription)])
            }
            return internalError
        case let error as DecodingError:
            return describe(error)
        case let error as HTTPError:
            let status = Int(error.status.code)
            if (400..<500).contains(status) {
                return Problem(status: status, slug: slug(for: status), title: title(for: status),
                               detail: error.body ?? title(for: status))
            }
            return internalError
        default:
            return internalError
        }
    }

    /// What a log may say about an error: never the decoded request, which can hold contact details.
    static func logDescription(_ error: any Error) -> String {
        if let error = error as? ServerError {
            return "operation \(error.operationID): \(error.causeDescription) (\(String(reflecting: type(of: error.underlyingError))))"
        }
        return "\(String(reflecting: type(of: error))): \(error)"
    }

    static let internalError = Problem(status: 500, slug: "internal-error", title: "Internal server error",
                                       detail: "The server failed to handle the request; it has been logged.")

    static func slug(for status: Int) -> String {
        switch status {
        case 400: "bad-request"
        case 401: "unauthenticated"
        case 403: "forbidden"
        case 404: "not-found"
        case 405: "method-not-allowed"
        case 406: "not-acceptable"
        case 409: "conflict"
        case 412: "precondition-failed"
        case 413: "payload-too-large"
        case 415: "unsupported-media-type"
        case 422: "validation-failed"
        case 429: "too-many-requests"
        default: "error"
        }
    }

    /// "Bad request" from `bad-request`: a status built from its code alone has an empty reason phrase.
    static func title(for status: Int) -> String {
        let words = slug(for: status).replacingOccurrences(of: "-", with: " ")
        return words.prefix(1).uppercased() + words.dropFirst()
    }

    /// A JSON decoding failure names the field and what was wrong; unknown fields are 400s too.
    static func describe(_ error: DecodingError) -> Problem {
        func path(_ context: DecodingError.Context) -> String {
            let parts = context.codingPath.map { key in key.intValue.map { "[\($0)]" } ?? key.stringValue }
            return parts.reduce("") { $0.isEmpty || $1.hasPrefix("[") ? $0 + $1 : $0 + "." + $1 }
        }
        let field: String, message: String
        switch error {
        case .keyNotFound(let key, let context):
            let parent = path(context)
            field = parent.isEmpty ? key.stringValue : parent + "." + key.stringValue
            message = "is required"
        case .typeMismatch(let type, let context):
            field = path(context)
            message = field.isEmpty
                ? "the body or a parameter has the wrong type (expected \(jsonTypeName(type)))"
                : "has the wrong type (expected \(jsonTypeName(type)))"
        case .valueNotFound(let type, let context):
            field = path(context)
            message = "must not be null (expected \(jsonTypeName(type)))"
        case .dataCorrupted(let context):
            field = path(context)
            let description = context.debugDescription
            if description.contains("Unexpected keys") || description.contains("additional") {
                message = "unknown field(s): " + description
            } else if field.isEmpty && (description.contains("JSON") || description.contains("json")) {
                message = "the body is not valid JSON"
            } else if field.isEmpty {
                message = "the body or a parameter has an invalid value: " + description.trimmingCharacters(in: CharacterSet(charactersIn: "."))
            } else {
                message = "has an invalid value: " + description
            }
        @unknown default:
            field = ""
            message = "could not be decoded"
        }
        if !field.isEmpty, case .dataCorrupted(let context) = error, context.debugDescription.contains("is not a date that exists") {
            return Problem.validation([FieldError(field, context.debugDescription)])
        }
        if !field.isEmpty, case .dataCorrupted(let context) = error, context.debugDescription.hasPrefix("Cannot initialize") {
            // A well-formed body with a value outside the contract's enum breaks a rule: 422, like other rules.
            return Problem.validation([FieldError(field, "is not one of the allowed values: " + context.debugDescription)])
        }
        let detail = field.isEmpty ? "The request is malformed: \(message)." : "The request is malformed: \(field) \(message)."
        return Problem.badRequest(detail, slug: "malformed-request", errors: [FieldError(field.isEmpty ? "request" : field, message)])
    }

    static func jsonTypeName(_ type: Any.Type) -> String {
        let name = String(describing: type)
        if name.hasPrefix("Dictionary") || name.contains("Container") { return "object" }
        if name.hasPrefix("Array") || name.hasPrefix("[") { return "array" }
        if name.contains("Int") || name.contains("Double") { return "number" }
        if name.contains("Bool") { return "boolean" }
        if name.contains("String") { return "string" }
        return "object"
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    struct Body: Encodable {
        var type: String
        var title: String
        var status: Int
        var detail: String
        var instance: String?
        var request_id: String?
        var errors: [FieldError]?
        var error_count: Int?
    }

    /// The problem response for any error, logging our own failures (never the request content).
    static func render(_ error: any Error, path: String, requestId: String?, logger: Logger) -> Response {
        let problem = problem(for: error)
        if problem.status >= 500 {
            logger.error("request failed", metadata: ["error": "\(logDescription(error))", "request_id": "\(requestId ?? "-")"])
        }
        return response(problem, instance: path, requestId: requestId)
    }

    static func response(_ problem: Problem, instance: String?, requestId: String?) -> Response {
        let body = Body(type: Problem.typeBase + problem.slug, title: problem.title, status: problem.status,
                        detail: problem.detail, instance: instance, request_id: requestId,
                        errors: problem.errors.isEmpty ? nil : problem.errors,
                        error_count: problem.errors.isEmpty ? nil : problem.errorCount)
        let data = (try? encoder.encode(body)) ?? Data()
        var headers: HTTPFields = [.contentType: "application/problem+json"]
        for (name, value) in problem.headers {
            if let field = HTTPField.Name(name) { headers[field] = value }
        }
        return Response(status: HTTPResponse.Status(code: problem.status), headers: headers,
                         body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}
