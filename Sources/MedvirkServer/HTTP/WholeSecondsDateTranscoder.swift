import Foundation
import MedvirkCore
import OpenAPIRuntime

/// How the generated code reads and writes `format: date-time` values: any RFC 3339 date-time in
/// (fractional seconds truncated, offsets converted to UTC), always `YYYY-MM-DDThh:mm:ssZ` out.
/// Medvirk keeps whole seconds everywhere (see `UTCTimestamp.parseRFC3339`).
struct WholeSecondsDateTranscoder: DateTranscoder {
    func encode(_ date: Date) throws -> String { UTCTimestamp.secondsText(date) }

    /// Throws a `DecodingError` without a field name (the generated decoder does not pass one); request bodies
    /// and query parameters are checked first by `BodyPolicy` and `QueryPolicy`, which name the field.
    func decode(_ text: String) throws -> Date {
        guard let date = UTCTimestamp.parseRFC3339(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "'\(text)' is not \(UTCTimestamp.expectedFormat)"))
        }
        return date
    }
}

extension JSONDecoder.DateDecodingStrategy {
    /// `WholeSecondsDateTranscoder` for a plain `JSONDecoder` (merge patches are decoded outside the generated layer).
    static let rfc3339WholeSeconds = JSONDecoder.DateDecodingStrategy.custom { decoder in
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let date = UTCTimestamp.parseRFC3339(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "'\(text)' is not \(UTCTimestamp.expectedFormat)")
        }
        return date
    }
}
