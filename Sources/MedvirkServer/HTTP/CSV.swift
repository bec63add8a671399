/// RFC 4180 reading: quoted fields may hold commas, quotes (doubled) and line breaks; CRLF or LF line ends.
enum CSV {
    static func parse(_ text: String, separator: Unicode.Scalar = ",") -> [[String]] {
        var rows: [[String]] = []
        records(text, separator: separator) { rows.append($0) }
        return rows
    }

    /// `;` when the first row has more semicolons than commas outside quotes (what Excel writes as "CSV" in
    /// Danish and Norwegian locales, where the comma is the decimal mark), else `,`.
    static func separator(ofHeader text: String) -> Unicode.Scalar {
        var commas = 0, semicolons = 0, quoted = false
        for c in text.unicodeScalars {
            if c == "\"" { quoted.toggle() }
            guard !quoted else { continue }
            if c == "\n" { break }
            if c == "," { commas += 1 } else if c == ";" { semicolons += 1 }
        }
        return semicolons > commas ? ";" : ","
    }

    /// Hands each record to `body` as it is read, so a large file is never held as rows all at once.
    /// Blank lines are skipped.
    static func records(_ text: String, separator: Unicode.Scalar = ",", _ body: ([String]) throws -> Void) rethrows {
        var row: [String] = [], field = "", quoted = false, pending = false
        var scalars = Substring(text).unicodeScalars[...]
        if scalars.first == "\u{FEFF}" { scalars.removeFirst() }
        while let c = scalars.popFirst() {
            pending = true
            if quoted {
                if c == "\"" {
                    if scalars.first == "\"" { field.unicodeScalars.append("\""); scalars.removeFirst() } else { quoted = false }
                } else { field.unicodeScalars.append(c) }
            } else if c == "\"" {
                quoted = true
            } else if c == separator {
                row.append(field); field = ""
            } else if c == "\r" {
                continue
            } else if c == "\n" {
                row.append(field)
                if !(row.count == 1 && row[0].isEmpty) { try body(row) }
                row = []; field = ""; pending = false
            } else {
                field.unicodeScalars.append(c)
            }
        }
        if pending {
            row.append(field)
            if !(row.count == 1 && row[0].isEmpty) { try body(row) }
        }
    }

    /// The first characters that make a spreadsheet read a cell as a formula (`=`, `+`, `-`, `@`, TAB, CR),
    /// and `'`, which Excel swallows as the "this is text" mark.
    static let formulaStarts: Set<UInt8> = [UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "@"), 0x09, 0x0D,
                                           UInt8(ascii: "'")]

    /// A cell as written: one that begins with a formula character or `'` gets a `'` in front, so Excel and
    /// LibreOffice show it as text instead of running it (OWASP, "CSV Injection":
    /// https://owasp.org/www-community/attacks/CSV_Injection). `unescapeFormula` undoes it on import.
    static func neutralised(_ field: String) -> String {
        guard let first = field.utf8.first, formulaStarts.contains(first) else { return field }
        return "'" + field
    }

    /// An imported cell: one leading `'` is dropped when a formula character or another `'` follows it, so
    /// an exported file imports exactly as it was, and a hand-typed `'=1+2` imports as `=1+2`.
    static func unescapeFormula(_ cell: String) -> String {
        let bytes = cell.utf8
        guard bytes.count >= 2, bytes.first == UInt8(ascii: "'"), formulaStarts.contains(bytes[bytes.index(after: bytes.startIndex)])
        else { return cell }
        return String(cell.dropFirst())
    }

    /// One CSV line with every field quoted, formula cells neutralised, and CRLF at the end.
    static func line(_ fields: [String]) -> String {
        var line = ""
        line.reserveCapacity(fields.reduce(2) { $0 + $1.utf8.count + 4 })
        for (index, unsafe) in fields.enumerated() {
            let field = neutralised(unsafe)
            var bytes = field
            let hasQuote = bytes.withUTF8 { $0.contains(UInt8(ascii: "\"")) }
            line += index == 0 ? "\"" : ",\""
            line += hasQuote ? field.replacing("\"", with: "\"\"") : field
            line += "\""
        }
        return line + "\r\n"
    }
}
