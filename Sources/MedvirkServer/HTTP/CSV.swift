/// RFC 4180 reading: quoted fields may hold commas, quotes (doubled) and line breaks; CRLF or LF line ends.
enum CSV {
    static func parse(_ text: String) -> [[String]] {
        var rows: [[String]] = [], row: [String] = [], field = "", quoted = false, pending = false
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
            } else if c == "," {
                row.append(field); field = ""
            } else if c == "\r" {
                continue
            } else if c == "\n" {
                row.append(field); rows.append(row); row = []; field = ""; pending = false
            } else {
                field.unicodeScalars.append(c)
            }
        }
        if pending { row.append(field); rows.append(row) }
        return rows.filter { !($0.count == 1 && $0[0].isEmpty) }
    }

    /// One CSV line with every field quoted and CRLF at the end.
    static func line(_ fields: [String]) -> String {
        var line = ""
        line.reserveCapacity(fields.reduce(2) { $0 + $1.utf8.count + 3 })
        for (index, field) in fields.enumerated() {
            var bytes = field
            let hasQuote = bytes.withUTF8 { $0.contains(UInt8(ascii: "\"")) }
            line += index == 0 ? "\"" : ",\""
            line += hasQuote ? field.replacing("\"", with: "\"\"") : field
            line += "\""
        }
        return line + "\r\n"
    }
}
