import MedvirkCore

/// The JSON syntax check every request body passes before it is decoded. Foundation's decoder is lenient
/// where RFC 8259 is not: it takes a trailing comma (`{"a":1,}`) and lets the first of two equal names win.
/// Both are refused here, as is anything else that is not RFC 8259 JSON, so a typo never silently keeps
/// the wrong value (RFC 8259 §4: names SHOULD be unique; we require it).
enum StrictJSON {
    /// Nesting deeper than this is refused (no request body of ours nests more than a few levels).
    static let maxDepth = 64

    /// Throws a 400 `invalid-json` problem naming where the body goes wrong, such as
    /// "a trailing comma before '}' in seats[0]" or "the name 'title' occurs twice in the body".
    static func check(_ bytes: some Collection<UInt8>) throws {
        var scanner = Scanner(bytes: Array(bytes))
        do {
            if scanner.bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
                throw Failure(message: "the body starts with a byte-order mark (EF BB BF), which JSON text must not (RFC 8259 §8.1)", offset: 0, path: "")
            }
            if String(validating: scanner.bytes, as: UTF8.self) == nil {
                throw Failure(message: "the body is not UTF-8 (RFC 8259 §8.1)", offset: 0, path: "")
            }
            scanner.skipSpace()
            try scanner.value(path: "", depth: 0)
            scanner.skipSpace()
            guard scanner.index == scanner.bytes.count else { throw scanner.fail("unexpected text after the JSON value") }
        } catch let failure as Failure {
            let field = failure.path.isEmpty ? "request" : failure.path
            throw Problem.badRequest("The body is not valid JSON (RFC 8259): \(failure.message) at byte \(failure.offset).",
                                     slug: "invalid-json", errors: [FieldError(field, failure.message)])
        }
    }

    struct Failure: Error {
        var message: String
        var offset: Int
        var path: String
    }

    private struct Scanner {
        let bytes: [UInt8]
        var index = 0
        var path = ""

        func fail(_ message: String) -> Failure { Failure(message: message, offset: index, path: path) }

        var current: UInt8? { index < bytes.count ? bytes[index] : nil }

        mutating func skipSpace() {
            while let byte = current, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { index += 1 }
        }

        mutating func value(path: String, depth: Int) throws {
            self.path = path
            guard depth <= StrictJSON.maxDepth else { throw fail("nesting deeper than \(StrictJSON.maxDepth) levels") }
            switch current {
            case UInt8(ascii: "{"): try object(path: path, depth: depth)
            case UInt8(ascii: "["): try array(path: path, depth: depth)
            case UInt8(ascii: "\""): _ = try string()
            case UInt8(ascii: "t"): try literal("true")
            case UInt8(ascii: "f"): try literal("false")
            case UInt8(ascii: "n"): try literal("null")
            case nil: throw fail("the body ends where a value should be")
            case let byte? where byte == UInt8(ascii: "-") || (0x30...0x39).contains(byte): try number()
            default: throw fail("a value was expected")
            }
        }

        mutating func object(path: String, depth: Int) throws {
            index += 1
            skipSpace()
            if current == UInt8(ascii: "}") { index += 1; return }
            var names = Set<String>()
            while true {
                guard current == UInt8(ascii: "\"") else {
                    throw fail(current == UInt8(ascii: "}") ? "a trailing comma before '}'" : "a quoted name was expected")
                }
                let name = try string()
                let field = path.isEmpty ? name : path + "." + name
                guard names.insert(name).inserted else {
                    self.path = field
                    throw fail("the name '\(name)' occurs twice in the same object")
                }
                skipSpace()
                guard current == UInt8(ascii: ":") else { throw fail("':' was expected after the name '\(name)'") }
                index += 1
                skipSpace()
                try value(path: field, depth: depth + 1)
                self.path = path
                skipSpace()
                switch current {
                case UInt8(ascii: ","): index += 1; skipSpace()
                case UInt8(ascii: "}"): index += 1; return
                default: throw fail("',' or '}' was expected")
                }
            }
        }

        mutating func array(path: String, depth: Int) throws {
            index += 1
            skipSpace()
            if current == UInt8(ascii: "]") { index += 1; return }
            var position = 0
            while true {
                if current == UInt8(ascii: "]") { throw fail("a trailing comma before ']'") }
                try value(path: "\(path)[\(position)]", depth: depth + 1)
                self.path = path
                position += 1
                skipSpace()
                switch current {
                case UInt8(ascii: ","): index += 1; skipSpace()
                case UInt8(ascii: "]"): index += 1; return
                default: throw fail("',' or ']' was expected")
                }
            }
        }

        mutating func literal(_ word: String) throws {
            for byte in word.utf8 {
                guard current == byte else { throw fail("a value was expected (true, false or null are spelled in lower case)") }
                index += 1
            }
        }

        mutating func number() throws {
            if current == UInt8(ascii: "-") { index += 1 }
            func digits() -> Int {
                let start = index
                while let byte = current, (0x30...0x39).contains(byte) { index += 1 }
                return index - start
            }
            if current == UInt8(ascii: "0") {
                index += 1
            } else {
                guard digits() > 0 else { throw fail("a digit was expected") }
            }
            if current == UInt8(ascii: ".") {
                index += 1
                guard digits() > 0 else { throw fail("a digit was expected after '.'") }
            }
            if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
                index += 1
                if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
                guard digits() > 0 else { throw fail("a digit was expected in the exponent") }
            }
        }

        /// Reads a string and returns its decoded text (names are compared decoded: `"a"` and `"\u0061"` are one name).
        mutating func string() throws -> String {
            index += 1
            let start = index
            var escaped = false
            while let byte = current, byte != UInt8(ascii: "\"") {
                guard byte >= 0x20 else { throw fail("a control character inside a string must be escaped") }
                if byte == UInt8(ascii: "\\") {
                    escaped = true
                    index += 1
                    switch current {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                         UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                        index += 1
                    case UInt8(ascii: "u"):
                        index += 1
                        for _ in 0..<4 {
                            guard let hex = current, Hex.value(of: hex) != nil else { throw fail("\\u needs four hex digits") }
                            index += 1
                        }
                    default:
                        throw fail("an unknown escape in a string")
                    }
                } else {
                    index += 1
                }
            }
            guard current == UInt8(ascii: "\"") else { throw fail("a string is not closed") }
            let raw = bytes[start..<index]
            index += 1
            guard escaped else { return String(decoding: raw, as: UTF8.self) }
            return Self.unescape(raw)
        }

        /// The text of a string body with its escapes (already checked) resolved; unpaired surrogates become U+FFFD.
        static func unescape(_ raw: ArraySlice<UInt8>) -> String {
            var units: [UInt16] = []
            var i = raw.startIndex
            func hex4(_ at: Int) -> UInt16 {
                raw[at..<at + 4].reduce(0) { $0 << 4 | UInt16(Hex.value(of: $1) ?? 0) }
            }
            while i < raw.endIndex {
                if raw[i] == UInt8(ascii: "\\") {
                    let code = raw[i + 1]
                    switch code {
                    case UInt8(ascii: "u"): units.append(hex4(i + 2)); i += 6; continue
                    case UInt8(ascii: "b"): units.append(0x08)
                    case UInt8(ascii: "f"): units.append(0x0C)
                    case UInt8(ascii: "n"): units.append(0x0A)
                    case UInt8(ascii: "r"): units.append(0x0D)
                    case UInt8(ascii: "t"): units.append(0x09)
                    default: units.append(UInt16(code))
                    }
                    i += 2
                } else {
                    // Copy one UTF-8 sequence as UTF-16.
                    var end = i + 1
                    while end < raw.endIndex, raw[end] & 0xC0 == 0x80 { end += 1 }
                    units.append(contentsOf: String(decoding: raw[i..<end], as: UTF8.self).utf16)
                    i = end
                }
            }
            return String(decoding: units, as: UTF16.self)
        }
    }
}
