import Foundation
import Hummingbird
import MedvirkCore

/// The query string as the contract declares it: a parameter the operation does not declare is a 400 naming
/// it (a misspelt filter must not silently return everything), as is a declared one without a value or
/// whose value is not the whole number, `date-time` or enum value its schema asks for. Names and values are
/// read as the generated decoder reads them, and values are brought to Unicode NFC before it does.
struct QueryPolicy: Sendable {
    let contract: ContractDocument

    /// The request with its query values in Unicode NFC (so `q=a%CC%8Aby` finds "Åby"); the same request when
    /// nothing changes, which is every query without a non-ASCII character.
    static func normalising(_ request: Request) -> Request {
        guard let query = request.uri.query, query.utf8.contains(where: { $0 >= 0x80 || $0 == UInt8(ascii: "%") }) else { return request }
        var changed = false
        let items = query.split(separator: "&", omittingEmptySubsequences: false).map { item -> String in
            let pair = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard pair.count == 2, let value = String(pair[1]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding else {
                return String(item)
            }
            let normal = TextNormalisation.nfc(value)
            guard !normal.utf8.elementsEqual(value.utf8) else { return String(item) }
            changed = true
            return String(pair[0]) + "=" + (normal.addingPercentEncoding(withAllowedCharacters: queryValueAllowed) ?? normal)
        }
        guard changed else { return request }
        var head = request.head
        head.path = request.uri.path + "?" + items.joined(separator: "&")
        return Request(head: head, body: request.body)
    }

    /// Unreserved characters (RFC 3986 §2.3): everything else in a rewritten value is percent-encoded.
    static let queryValueAllowed = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    /// Names and values as the generated decoder reads them: `+` a space, then percent-decoded (so `%2B` is a plus).
    /// A value is nil when the item has no `=` at all (`?q`).
    static func decodedPairs(_ query: String?) -> [(name: String, value: String?)] {
        func decode(_ part: Substring) -> String {
            let spaced = part.replacingOccurrences(of: "+", with: " ")
            return spaced.removingPercentEncoding ?? spaced
        }
        return (query ?? "").split(separator: "&").map { item in
            let pair = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (decode(pair[0]), pair.count == 2 ? decode(pair[1]) : nil)
        }
    }

    /// Throws a 400 listing every parameter the operation does not declare or whose value its schema refuses.
    func check(_ query: String?, _ operation: ContractDocument.Operation) throws {
        var errors: [FieldError] = []
        for (name, value) in Self.decodedPairs(query) {
            guard operation.queryParameters.contains(name) else {
                let known = operation.queryParameters.sorted()
                errors.append(FieldError(name, known.isEmpty ? "is not a parameter of this operation, which takes none"
                                         : "is not a parameter of this operation; it takes " + known.joined(separator: ", ")))
                continue
            }
            guard let text = value else {
                errors.append(FieldError(name, "has no value; write \(name)=…"))
                continue
            }
            guard let schema = operation.queryParameterSchemas[name] else { continue }
            if schema.isInteger, Int64(text) == nil {
                errors.append(FieldError(name, "is '\(BodyPolicy.quoted(text))', not a whole number"))
            }
            if schema.isTimestamp, UTCTimestamp.parseRFC3339(text) == nil {
                let hint = text.contains(" ") ? " (in a URL a + reads as a space: write the offset's + as %2B)" : ""
                errors.append(FieldError(name, "is '\(BodyPolicy.quoted(text))', not \(UTCTimestamp.expectedFormat)\(hint)"))
            }
            if let allowed = schema.enumValues ?? schema.object.flatMap({ contract.enums[$0] }), !allowed.contains(text) {
                errors.append(FieldError(name, BodyPolicy.notAllowed(text, allowed)))
            }
        }
        guard let first = errors.first else { return }
        throw Problem.badRequest("The query is malformed: \(first.field) \(first.message).", slug: "malformed-request", errors: errors)
    }
}
