/// Finds what looks like a Danish CPR number or a Norwegian national identity number (fødselsnummer),
/// so such a response is never published automatically.
public enum NationalIdScreening {
    /// True when the text holds a CPR number (DDMMYY-NNNN or DDMMYYNNNN with a real date) or an
    /// 11-digit fødselsnummer with valid check digits. Digits inside longer runs do not count.
    public static func containsNationalId(_ text: String) -> Bool {
        let characters = Array(text)
        var i = 0
        while i < characters.count {
            guard characters[i].isASCIIDigit else { i += 1; continue }
            var end = i
            while end < characters.count, characters[end].isASCIIDigit { end += 1 }
            let run = characters[i..<end].map { Int(String($0))! }
            if run.count == 10, isCPR(run) { return true }
            if run.count == 11, isFodselsnummer(run) { return true }
            if run.count == 6, end + 5 <= characters.count, characters[end] == "-",
               characters[(end + 1)..<(end + 5)].allSatisfy(\.isASCIIDigit),
               end + 5 == characters.count || !characters[end + 5].isASCIIDigit {
                let serial = characters[(end + 1)..<(end + 5)].map { Int(String($0))! }
                if isCPR(run + serial) { return true }
            }
            i = end
        }
        return false
    }

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

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
