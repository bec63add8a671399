import Foundation
import HTTPTypes

/// Parsing shared by the headers the pipeline reads.
enum HeaderValues {
    /// The items of a comma-separated header (`If-None-Match`, `Accept-Encoding`), trimmed, empty ones dropped.
    static func items(_ header: String) -> [Substring] {
        header.split(separator: ",").map(trimmed).filter { !$0.isEmpty }
    }

    /// `application/json` from `Application/JSON; charset=utf-8`: the media type without parameters, lowercased.
    static func mediaType(_ contentType: String?) -> String? {
        contentType?.split(separator: ";", omittingEmptySubsequences: false).first.map { trimmed($0).lowercased() }
    }

    /// The value of one parameter of a media type (`charset` of `text/csv; charset="windows-1252"`), unquoted
    /// and lowercased; nil when it is not given.
    static func parameter(_ contentType: String?, _ name: String) -> String? {
        for part in (contentType ?? "").split(separator: ";").dropFirst() {
            let pair = part.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, trimmed(pair[0]).lowercased() == name else { continue }
            return trimmed(pair[1]).trimmingCharacters(in: CharacterSet(charactersIn: "\"")).lowercased()
        }
        return nil
    }

    static func trimmed(_ text: Substring) -> Substring {
        var text = text
        while text.first == " " || text.first == "\t" { text.removeFirst() }
        while text.last == " " || text.last == "\t" { text.removeLast() }
        return text
    }
}

extension HTTPRequest.Method {
    /// POST, PUT, PATCH or DELETE: needs a token. (A switch: an array literal here costs an allocation per request.)
    var isWrite: Bool {
        switch self {
        case .post, .put, .patch, .delete: true
        default: false
        }
    }

    /// PATCH, PUT or DELETE: changes an existing resource, so `If-Match` applies.
    var changesResource: Bool {
        switch self {
        case .put, .patch, .delete: true
        default: false
        }
    }

    /// POST, PUT or PATCH: carries a body.
    var hasBody: Bool {
        switch self {
        case .post, .put, .patch: true
        default: false
        }
    }
}

extension HTTPField.Name {
    static let xRequestID = HTTPField.Name("X-Request-Id")!
    static let link = HTTPField.Name("Link")!
}
