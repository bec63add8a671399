import Foundation
import MedvirkCore

/// Text bodies (CSV uploads) in the character set their `Content-Type` declares. Without a `charset`
/// parameter the body must be UTF-8 (a byte-order mark is allowed). `windows-1252` is what Excel in Denmark
/// and Norway saves as "CSV"; `iso-8859-1` (and `latin1`) is read as windows-1252, as the WHATWG Encoding
/// Standard has every browser do, since files labelled Latin-1 are in practice windows-1252. Decoding is
/// Foundation's.
enum TextDecoding {
    static let supported = ["utf-8", "windows-1252", "iso-8859-1"]

    /// The text of `bytes` in Unicode NFC; a 415 for a charset we do not read, a 422 for bytes that are not in the charset.
    static func decode(_ bytes: ArraySlice<UInt8>, charset: String?) throws -> String {
        TextNormalisation.nfc(try decodeCharset(bytes, charset: charset))
    }

    static func decodeCharset(_ bytes: ArraySlice<UInt8>, charset: String?) throws -> String {
        switch charset?.lowercased() {
        case nil, "utf-8", "utf8":
            guard let text = String(validating: bytes, as: UTF8.self) else {
                throw Problem.validation([FieldError("body", "is not valid UTF-8 (the first bad byte is on line \(lineOfFirstInvalidUTF8(bytes)))")], detail: """
                    The file is not UTF-8. In Excel choose Save As → "CSV UTF-8 (comma delimited)", or send the file as it is \
                    with 'Content-Type: text/csv; charset=windows-1252' (what Excel's plain "CSV" is in Denmark and Norway).
                    """)
            }
            return text
        case "windows-1252", "cp1252", "x-cp1252", "iso-8859-1", "iso8859-1", "latin1", "l1", "us-ascii", "ascii":
            // A UTF-8 byte-order mark shows the file is UTF-8 whatever the label says (WHATWG "decode" does the same).
            if bytes.starts(with: [0xEF, 0xBB, 0xBF]), let text = String(validating: bytes, as: UTF8.self) { return text }
            guard let text = String(data: Data(bytes), encoding: .windowsCP1252) else {
                throw Problem.validation([FieldError("body", "is not windows-1252 text")],
                                         detail: "The file holds bytes that windows-1252 does not define; save it as CSV UTF-8.")
            }
            return text
        case let other?:
            throw Problem(status: 415, slug: "unsupported-media-type", title: "Unsupported media type",
                          detail: "charset=\(other) is not read here; send \(supported.joined(separator: ", ")) (UTF-8 when no charset is given).")
        }
    }

    /// The line (1-based) of the first byte that is not UTF-8, for the error message.
    static func lineOfFirstInvalidUTF8(_ bytes: ArraySlice<UInt8>) -> Int {
        var decoder = UTF8(), iterator = bytes.makeIterator(), line = 1
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar): if scalar == "\n" { line += 1 }
            case .emptyInput, .error: return line
            }
        }
    }
}
