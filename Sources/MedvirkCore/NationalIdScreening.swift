/// Finds what looks like a Danish CPR number or a Norwegian national identity number (fødselsnummer, also
/// D-numbers), so such text is never published automatically.
///
/// A number is a date part (`DDMMYY`, or a dotted date `DD.MM.YY`) and a serial (four digits for CPR, five
/// for fødselsnummer), written together or apart: between the date part and the serial, and between the
/// parts of a dotted date, white space (tabs and line breaks too), a hyphen, an en or em dash or a dot count
/// as separators (`120385-1233`, `120385 1233`, `120385 – 1233`, `12.03.85-1233`, `010190 12480`); a dotted
/// date needs a dash before its serial, so `12.03.27 1400` (a date and a time) does not count. The date must exist;
/// a fødselsnummer must also pass both mod-11 check digits (Skatteetaten's algorithm). Digits that
/// continue a longer number (`1.120385-1233`, `120385-12330`) do not count.
public enum NationalIdScreening {
    /// Raised whenever the rules find more than before; stored responses screened with an older version
    /// are screened again at start-up.
    public static let version = 2

    /// True when the text holds a CPR number or a fødselsnummer in any of the spellings above.
    public static func containsNationalId(_ text: String) -> Bool {
        let s = Array(text.unicodeScalars)
        var i = 0
        while i < s.count {
            if isDigit(s, i), !continuesNumber(s, before: i), let (date, afterDate, apart) = datePart(s, i) {
                // The serial, right after the date part or after one separator (with a dash, for a date written apart).
                for start in serialStarts(s, afterDate) where !apart || s[afterDate..<start].contains(where: { dashes.contains($0.value) }) {
                    var end = start
                    while isDigit(s, end) { end += 1 }
                    let serial = digits(s, start..<end)
                    guard !continuesNumber(s, after: end) else { continue }
                    if serial.count == 4, isCPR(date + serial) { return true }
                    if serial.count == 5, isFodselsnummer(date + serial) { return true }
                }
            }
            i += 1
        }
        return false
    }

    /// Field errors for the texts that hold a number, for writes that would make them public.
    public static func check(_ fields: [(name: String, text: String?)]) -> [FieldError] {
        fields.compactMap { field in
            guard let text = field.text, containsNationalId(text) else { return nil }
            return FieldError(field.name, "contains what looks like a CPR number or fødselsnummer; remove it, this text is public")
        }
    }

    // MARK: Scanning

    static let dashes: Set<UInt32> = [0x2D, 0x2010, 0x2011, 0x2012, 0x2013, 0x2014, 0x2212]
    static let spaces: Set<UInt32> = [0x20, 0xA0, 0x202F, 0x2009, 0x09, 0x0A, 0x0D]

    static func isDigit(_ s: [Unicode.Scalar], _ i: Int) -> Bool {
        i >= 0 && i < s.count && (0x30...0x39).contains(s[i].value)
    }

    static func digits(_ s: [Unicode.Scalar], _ range: Range<Int>) -> [Int] {
        range.map { Int(s[$0].value) - 0x30 }
    }

    /// A digit, or a dot, comma or dash directly between digits, before `i`: `i` is inside a longer number.
    static func continuesNumber(_ s: [Unicode.Scalar], before i: Int) -> Bool {
        if isDigit(s, i - 1) { return true }
        guard i >= 2, isDigit(s, i - 2) else { return false }
        let c = s[i - 1].value
        return c == 0x2E || c == 0x2C || dashes.contains(c) || c == 0x2F
    }

    static func continuesNumber(_ s: [Unicode.Scalar], after end: Int) -> Bool {
        if isDigit(s, end) { return true }
        guard end < s.count, isDigit(s, end + 1) else { return false }
        let c = s[end].value
        return c == 0x2E || c == 0x2C || dashes.contains(c) || c == 0x2F
    }

    /// One separator: up to two spaces, optionally one dash or dot, up to two spaces; nil when none.
    static func separator(_ s: [Unicode.Scalar], _ i: Int) -> Int? {
        var j = i
        while j < s.count, j - i < 2, spaces.contains(s[j].value) { j += 1 }
        if j < s.count, dashes.contains(s[j].value) || s[j].value == 0x2E {
            j += 1
            let afterMark = j
            while j < s.count, j - afterMark < 2, spaces.contains(s[j].value) { j += 1 }
        }
        return j > i ? j : nil
    }

    /// Six date digits from `i`: `DDMMYY` written together, or `DD?MM?YY` with separators; the flag tells
    /// which, since a date written apart needs a dash before its serial (`12.03.85-1233`): `12.03.27 1400`
    /// is a date and a time.
    static func datePart(_ s: [Unicode.Scalar], _ i: Int) -> (digits: [Int], end: Int, apart: Bool)? {
        var end = i
        while isDigit(s, end) { end += 1 }
        let run = end - i
        if run == 6 { return (digits(s, i..<end), end, false) }
        // Written together with the serial: ten (CPR) or eleven (fødselsnummer) digits in one run.
        if run == 10 || run == 11 { return (digits(s, i..<(i + 6)), i + 6, false) }
        guard run == 2, let afterDay = separator(s, end), isDigit(s, afterDay), isDigit(s, afterDay + 1), !isDigit(s, afterDay + 2),
              let afterMonth = separator(s, afterDay + 2), isDigit(s, afterMonth), isDigit(s, afterMonth + 1), !isDigit(s, afterMonth + 2)
        else { return nil }
        return (digits(s, i..<end) + digits(s, afterDay..<(afterDay + 2)) + digits(s, afterMonth..<(afterMonth + 2)), afterMonth + 2, true)
    }

    /// Where the serial may start after a date part ending at `end`: right there, or after one separator.
    static func serialStarts(_ s: [Unicode.Scalar], _ end: Int) -> [Int] {
        var starts: [Int] = []
        if isDigit(s, end) { starts.append(end) }
        if let next = separator(s, end), isDigit(s, next) { starts.append(next) }
        return starts
    }

    // MARK: Validation

    /// DDMMYY then four digits; the date must exist in some century the CPR scheme uses.
    static func isCPR(_ d: [Int]) -> Bool {
        let day = d[0] * 10 + d[1], month = d[2] * 10 + d[3], year = d[4] * 10 + d[5]
        return [1900, 2000].contains { isRealDate(day: day, month: month, year: $0 + year) }
    }

    /// Birth date (D-numbers add 4 to the first digit) and the two mod-11 check digits.
    static func isFodselsnummer(_ d: [Int]) -> Bool {
        var day = d[0] * 10 + d[1]
        if day > 40 { day -= 40 }
        let month = (d[2] * 10 + d[3]) % 40
        guard (1...31).contains(day), (1...12).contains(month) else { return false }
        func check(_ weights: [Int], _ digits: ArraySlice<Int>) -> Int? {
            let sum = zip(weights, digits).reduce(0) { $0 + $1.0 * $1.1 }
            let k = 11 - sum % 11
            return k == 11 ? 0 : (k == 10 ? nil : k)
        }
        guard let k1 = check([3, 7, 6, 1, 8, 9, 4, 5, 2], d[0..<9]), k1 == d[9],
              let k2 = check([5, 4, 3, 2, 7, 6, 5, 4, 3, 2], d[0..<10]), k2 == d[10]
        else { return false }
        return true
    }

    static func isRealDate(day: Int, month: Int, year: Int) -> Bool {
        guard (1...12).contains(month), day >= 1 else { return false }
        return day <= CalendarDate.daysIn(month: month, year: year)
    }
}
