import Foundation

/// Filenames of uploads: read from `Content-Disposition` (RFC 6266, with RFC 8187's `filename*`), made safe
/// to store and show, and written back as `attachment; filename="ascii"; filename*=UTF-8''…`.
public enum Filename {
    /// The longest name kept, in characters; longer names are cut before their extension.
    public static let maxLength = 200

    /// The `filename*` (preferred, RFC 6266 §4.3) or `filename` parameter of a `Content-Disposition` value;
    /// nil when the header names none. Throws a 422 naming `Content-Disposition` for a value that is not `type *( ; param )` or whose
    /// `filename*` is not `charset'lang'pct-encoded` in UTF-8 or ISO-8859-1.
    public static func fromContentDisposition(_ header: String) throws -> String? {
        var parameters: [String: String] = [:]
        let bytes = Array(header.utf8)
        var index = 0
        func skipSpace() { while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x09 { index += 1 } }
        func token() -> String {
            let start = index
            while index < bytes.count, isTokenByte(bytes[index]) { index += 1 }
            return String(decoding: bytes[start..<index], as: UTF8.self)
        }
        let malformed = Problem.validation([FieldError(
            "Content-Disposition", "must be attachment; filename*=UTF-8''name or attachment; filename=\"name\" (RFC 6266)")])
        guard bytes.count <= 2000 else {
            throw Problem.validation([FieldError("Content-Disposition", "must be at most 2000 characters")])
        }
        skipSpace()
        guard !token().isEmpty else { throw malformed }
        while true {
            skipSpace()
            guard index < bytes.count else { break }
            guard bytes[index] == UInt8(ascii: ";") else { throw malformed }
            index += 1
            skipSpace()
            if index == bytes.count { break }
            let name = token().lowercased()
            skipSpace()
            guard !name.isEmpty, index < bytes.count, bytes[index] == UInt8(ascii: "=") else { throw malformed }
            index += 1
            skipSpace()
            var value: [UInt8] = []
            if index < bytes.count, bytes[index] == UInt8(ascii: "\"") {
                index += 1
                var closed = false
                while index < bytes.count {
                    let byte = bytes[index]
                    index += 1
                    if byte == UInt8(ascii: "\\"), index < bytes.count { value.append(bytes[index]); index += 1; continue }
                    if byte == UInt8(ascii: "\"") { closed = true; break }
                    value.append(byte)
                }
                guard closed else { throw malformed }
            } else {
                let start = index
                while index < bytes.count, isTokenByte(bytes[index]) || (name.hasSuffix("*") && bytes[index] == UInt8(ascii: "'")) { index += 1 }
                guard index > start else { throw malformed }
                value = Array(bytes[start..<index])
            }
            guard parameters[name] == nil else { throw malformed }
            parameters[name] = String(decoding: value, as: UTF8.self)
        }
        if let extended = parameters["filename*"] {
            guard let decoded = decodeExtendedValue(extended) else {
                throw Problem.validation([FieldError("Content-Disposition", "filename* must be UTF-8'language'percent-encoded name (RFC 8187)")])
            }
            return decoded
        }
        return parameters["filename"]
    }

    /// RFC 8187 §3.2: `charset "'" [ language ] "'" value-chars`; UTF-8 and ISO-8859-1 are understood.
    static func decodeExtendedValue(_ text: String) -> String? {
        let parts = text.split(separator: "'", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3 else { return nil }
        var bytes: [UInt8] = []
        var scalars = Array(parts[2].utf8)[...]
        while let byte = scalars.popFirst() {
            if byte == UInt8(ascii: "%") {
                guard scalars.count >= 2, let value = UInt8(String(decoding: scalars.prefix(2), as: UTF8.self), radix: 16) else { return nil }
                bytes.append(value)
                scalars = scalars.dropFirst(2)
            } else {
                guard isAttrChar(byte) else { return nil }
                bytes.append(byte)
            }
        }
        switch parts[0].lowercased() {
        case "utf-8": return String(validating: bytes, as: UTF8.self)
        case "iso-8859-1": return String(bytes.map { Character(Unicode.Scalar($0)) })
        default: return nil
        }
    }

    static func isTokenByte(_ byte: UInt8) -> Bool {
        // RFC 9110 §5.6.2 tchar.
        (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
            || Array("!#$%&'*+-.^_`|~".utf8).contains(byte)
    }

    static func isAttrChar(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || Array("!#$&+-.^_`|~".utf8).contains(byte)
    }

    /// Characters removed from names: controls (C0, DEL, C1) and every invisible format character (general
    /// category Cf), among them the bidirectional ones that can make `gpj.exe` look like `exe.jpg` (Unicode
    /// Technical Report #36 §2.2, CVE-2021-42574) and the zero-width ones.
    static func isRemoved(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        return v < 0x20 || (0x7F...0x9F).contains(v) || scalar.properties.generalCategory == .format
    }

    /// Path separators and the characters drawn like them (fullwidth solidus, division and fraction slashes,
    /// big solidi), which some systems and readers take for one.
    static let separators: Set<Unicode.Scalar> = ["/", "\\", "\u{FF0F}", "\u{FF3C}", "\u{2215}", "\u{2044}", "\u{29F8}", "\u{29F9}"]

    /// The name as stored: NFC, without control and bidirectional characters, trimmed, at most `maxLength`
    /// characters (cut before the extension). Throws a 422 naming `filename` for a name with a path
    /// separator, one that is empty once cleaned, or `.`/`..`.
    public static func sanitise(_ raw: String) throws -> String {
        let kept = String(String.UnicodeScalarView(raw.precomposedStringWithCanonicalMapping.unicodeScalars.filter { !isRemoved($0) }))
        let name = kept.trimmingCharacters(in: .whitespaces)
        if name.unicodeScalars.contains(where: separators.contains) {
            throw Problem.validation([FieldError("filename", "must not contain a path separator (/ or \\, or a character drawn like one)")])
        }
        guard !name.isEmpty, name != ".", name != ".." else {
            throw Problem.validation([FieldError("filename", "must have at least one visible character and not be . or ..")])
        }
        guard name.count > maxLength else { return name }
        let dot = name.lastIndex(of: ".").map { name.distance(from: $0, to: name.endIndex) } ?? 0
        let extensionLength = dot > 0 && dot <= 10 ? dot : 0
        return String(name.prefix(maxLength - extensionLength)) + String(name.suffix(extensionLength))
    }

    /// `attachment; filename="…"; filename*=UTF-8''…`: an ASCII fallback for old clients beside the exact name
    /// (RFC 6266 §4.3, RFC 8187).
    public static func contentDisposition(_ name: String) -> String {
        "attachment; filename=\"\(asciiFallback(name))\"; filename*=UTF-8''\(percentEncoded(name))"
    }

    /// Danish and Norwegian letters spelled out (æ → ae, ø → oe, å → aa), other accents dropped, anything
    /// else outside printable ASCII (and `"`, `\`) as `_`.
    public static func asciiFallback(_ name: String) -> String {
        let spelled: [Character: String] = ["æ": "ae", "Æ": "Ae", "ø": "oe", "Ø": "Oe", "å": "aa", "Å": "Aa", "ß": "ss"]
        var out = ""
        for character in name {
            if let text = spelled[character] { out += text; continue }
            let folded = String(character).folding(options: .diacriticInsensitive, locale: nil)
            for scalar in folded.unicodeScalars {
                out += (0x20...0x7E).contains(scalar.value) && scalar != "\"" && scalar != "\\" ? String(scalar) : "_"
            }
        }
        return out
    }

    /// RFC 8187 attr-chars kept, every other UTF-8 byte percent-encoded.
    public static func percentEncoded(_ name: String) -> String {
        var out = ""
        for byte in name.utf8 {
            if isAttrChar(byte) { out.append(Character(Unicode.Scalar(byte))) } else { out += String(format: "%%%02X", byte) }
        }
        return out
    }
}
