import Foundation
import MedvirkCore

/// The hearing memo as a standalone, printable HTML document: semantic headings, `lang`, the party list as a
/// table, every text escaped, inline styles only (the answer's Content-Security-Policy allows exactly that),
/// so municipal staff can open it in a browser and paste it into their case system.
enum MemoHTML {
    static func render(_ memo: HearingMemo) -> String {
        let w = MemoWording.of(memo.language)
        let title = "\(w.memo): \(memo.title)"
        var out = """
            <!DOCTYPE html>
            <html lang="\(memo.language.rawValue)">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(escape(title))</title>
            </head>
            <body style="font-family: Georgia, 'Times New Roman', serif; max-width: 48em; margin: 2em auto; padding: 0 1em; line-height: 1.5; color: #111;">
            <header>
            <h1 style="font-size: 1.8em; margin-bottom: 0.2em;">\(escape(title))</h1>
            <p style="margin-top: 0;">\(escape(memo.municipalityName))\(memo.caseNumber.map { " · \(escape(w.caseNumber)) \(escape($0))" } ?? "")</p>

            """
        if memo.isDraft {
            out += "<p role=\"note\" style=\"border: 2px solid #a00; color: #a00; padding: 0.3em 0.6em; font-weight: bold;\">\(escape(w.draft))</p>\n"
        }
        out += "</header>\n<main>\n<section>\n<h2>\(escape(w.period))</h2>\n<p>\(escape(MemoText.periodSentence(memo)))</p>\n"
        if let reason = memo.period.shortPeriodReason {
            out += "<p><strong>\(escape(w.shortPeriodReason)):</strong> \(escape(reason))</p>\n"
        }
        out += "</section>\n"
        if let introduction = memo.introduction { out += "<section>\n<h2>\(escape(w.introduction))</h2>\n\(paragraphs(introduction))</section>\n" }
        out += """
            <section>
            <h2>\(escape(w.parties))</h2>
            <table style="border-collapse: collapse; width: 100%;">
            <thead><tr><th scope="col" style="\(cellStyle) text-align: left;">\(escape(w.party))</th><th scope="col" style="\(cellStyle) text-align: left;">\(escape(w.answer))</th></tr></thead>
            <tbody>

            """
        for party in memo.parties {
            out += "<tr><td style=\"\(cellStyle)\">\(escape(party.name))</td><td style=\"\(cellStyle)\">\(escape(MemoText.answer(party.answer, w)))</td></tr>\n"
        }
        out += "</tbody>\n</table>\n</section>\n<section>\n<h2>\(escape(w.responses))</h2>\n"
        if memo.sections.isEmpty { out += "<p>\(escape(w.noResponsesUnder))</p>\n" }
        for section in memo.sections {
            out += "<section>\n<h3>\(escape(section.title))</h3>\n"
            if let description = section.description { out += paragraphs(description) }
            for entry in section.entries {
                out += "<article style=\"border-top: 1px solid #999; margin-top: 1em; padding-top: 0.5em; break-inside: avoid;\">\n"
                out += "<h4 style=\"margin-bottom: 0.2em;\">\(escape(MemoText.sender(entry.sender, w)))</h4>\n<p style=\"margin-top: 0; font-size: 0.9em;\">"
                out += "\(escape(w.receipt)) \(escape(entry.receiptNumber)) · \(escape(w.received)) "
                out += escape(MemoWording.date(entry.receivedAt, language: memo.language, timeZone: memo.period.timeZone))
                if entry.late { out += " · <strong>\(escape(w.late))</strong>" }
                if entry.answerType == .noComments { out += " · \(escape(w.noComments))" }
                out += "</p>\n"
                if let summary = entry.summary { out += "<h5 style=\"margin-bottom: 0;\">\(escape(w.summary))</h5>\n\(paragraphs(summary))" }
                if let assessment = entry.assessment { out += "<h5 style=\"margin-bottom: 0;\">\(escape(w.assessment))</h5>\n\(paragraphs(assessment))" }
                if let accommodated = entry.accommodated {
                    out += "<p><strong>\(escape(w.accommodated)):</strong> \(escape(w.accommodation[accommodated] ?? accommodated.rawValue))</p>\n"
                }
                out += "</article>\n"
            }
            out += "</section>\n"
        }
        out += "</section>\n"
        if let recommendation = memo.recommendation { out += "<section>\n<h2>\(escape(w.recommendation))</h2>\n\(paragraphs(recommendation))</section>\n" }
        out += "<section>\n<h2>\(escape(w.counts))</h2>\n<ul>\n"
        for (label, value) in MemoText.counts(memo, w) { out += "<li>\(escape(label)): \(value)</li>\n" }
        out += "</ul>\n</section>\n</main>\n</body>\n</html>\n"
        return out
    }

    static let cellStyle = "border: 1px solid #999; padding: 0.25em 0.5em;"

    /// Text (plain or Markdown, shown as written) as paragraphs: a blank line starts a new one, a line break stays one.
    static func paragraphs(_ text: String) -> String {
        text.replacingOccurrences(of: "\r\n", with: "\n").components(separatedBy: "\n\n")
            .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
            .map { "<p style=\"white-space: pre-line;\">\(escape($0))</p>\n" }.joined()
    }

    /// `&`, `<`, `>`, `"` and `'` as character references, so no text can open a tag or leave an attribute.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for c in text.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }
}
