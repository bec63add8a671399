import Foundation
import MedvirkCore

/// A JSON value that keeps `null` apart from absence, for JSON Merge Patch (RFC 7396).
indirect enum JSONValue: Codable, Equatable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Int64.self) { self = .int(value) }
        else if let value = try? container.decode(Double.self) { self = .double(value) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode([JSONValue].self) { self = .array(value) }
        else { self = .object(try container.decode([String: JSONValue].self)) }
    }

    /// The same value with every string (and object name) in Unicode NFC; nil when nothing changes.
    func normalisedText() -> JSONValue? {
        func nfc(_ text: String) -> String? {
            let normal = TextNormalisation.nfc(text)
            return normal.utf8.elementsEqual(text.utf8) ? nil : normal
        }
        switch self {
        case .string(let text): return nfc(text).map(JSONValue.string)
        case .array(let items):
            let normal = items.map { $0.normalisedText() }
            guard normal.contains(where: { $0 != nil }) else { return nil }
            return .array(zip(items, normal).map { $1 ?? $0 })
        case .object(let fields):
            var changed = false
            var result: [String: JSONValue] = [:]
            for (key, value) in fields {
                let normalKey = nfc(key), normalValue = value.normalisedText()
                if normalKey != nil || normalValue != nil { changed = true }
                result[normalKey ?? key] = normalValue ?? value
            }
            return changed ? .object(result) : nil
        default: return nil
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .int(let value): try container.encode(value)
        case .double(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    /// RFC 7396 §2: objects merge key by key, `null` removes, anything else replaces.
    func merged(with patch: JSONValue) -> JSONValue {
        guard case .object(let changes) = patch else { return patch }
        var result: [String: JSONValue]
        if case .object(let current) = self { result = current } else { result = [:] }
        for (key, value) in changes {
            if value == .null {
                result[key] = nil
            } else {
                result[key] = (result[key] ?? .null).merged(with: value)
            }
        }
        return .object(result)
    }
}

enum MergePatch {
    /// Applies the request's merge patch (the body as parsed by `RequestBodyMiddleware`, where `null` means
    /// remove) to the writable form of a resource and decodes the result, so the merged resource is validated
    /// exactly like a new one.
    static func apply<T: Codable>(to current: T, patch: JSONValue? = MedvirkRequestContext.current?.mergePatch) throws -> T {
        // The generated layer has already decoded the body, so it is JSON here.
        guard let patch, case .object = patch else {
            throw Problem.badRequest("A merge patch must be a JSON object.", slug: "malformed-body")
        }
        // Dates travel as RFC 3339 text, as in the contract.
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .rfc3339WholeSeconds
        let before = try JSONDecoder().decode(JSONValue.self, from: encoder.encode(current))
        let after = try encoder.encode(before.merged(with: patch))
        do {
            return try decoder.decode(T.self, from: after)
        } catch DecodingError.keyNotFound(let key, let context) {
            let path = (context.codingPath.map(\.stringValue) + [key.stringValue]).joined(separator: ".")
            throw Problem.validation([FieldError(path, "is required and cannot be removed")])
        }
    }
}
