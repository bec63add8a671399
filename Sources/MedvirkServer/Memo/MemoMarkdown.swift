import Foundation
import MedvirkCore

/// The hearing memo as Markdown, for editing: headings, the party list as a table, the admin-written
/// sections as written (they are plain text or Markdown already).
enum MemoMarkdown {
    static func render(_ memo: HearingMemo) -> String {
        let w = MemoWording.of(memo.language)
        var out = "# \(w.memo): \(inline(memo.title))\n\n"
        if memo.isDraft { out += "**\(w.draft)**\n\n" }
        if let caseNumber = memo.caseNumber { out += "\(w.caseNumber): \(inline(caseNumber))\n\n" }
        out += "## \(w.period)\n\n\(MemoText.periodSentence(memo))\n\n"
        if let reason = memo.period.shortPeriodReason { out += "\(w.shortPeriodReason): \(inline(reason))\n\n" }
        if let introduction = memo.introduction { out += "## \(w.introduction)\n\n\(introduction)\n\n" }
        out += "## \(w.parties)\n\n| \(w.party) | \(w.answer) |\n| --- | --- |\n"
        for party in memo.parties { out += "| \(inline(party.name)) | \(MemoText.answer(party.answer, w)) |\n" }
        out += "\n## \(w.responses)\n\n"
        for section in memo.sections {
            out += "### \(inline(section.title))\n\n"
            if let description = section.description { out += "\(lineStart(inline(description)))\n\n" }
            for entry in section.entries {
                out += "#### \(inline(MemoText.sender(entry.sender, w))) (\(entry.receiptNumber))\n\n"
                out += "- \(w.received): \(MemoWording.date(entry.receivedAt, language: memo.language, timeZone: memo.period.timeZone))"
                if entry.late { out += " — **\(w.late)**" }
                out += "\n"
                if entry.answerType == .noComments { out += "- \(w.noComments)\n" }
                if let accommodated = entry.accommodated { out += "- \(w.accommodated): \(w.accommodation[accommodated] ?? accommodated.rawValue)\n" }
                out += "\n"
                if let summary = entry.summary { out += "**\(w.summary):** \(inline(summary))\n\n" }
                if let assessment = entry.assessment { out += "**\(w.assessment):** \(inline(assessment))\n\n" }
            }
        }
        if memo.sections.isEmpty { out += "\(w.noResponsesUnder)\n\n" }
        if let recommendation = memo.recommendation { out += "## \(w.recommendation)\n\n\(recommendation)\n\n" }
        out += "## \(w.counts)\n\n"
        for (label, value) in MemoText.counts(memo, w) { out += "- \(label): \(value)\n" }
        return out
    }

    /// Data (a title, a name, a summary) as literal text on one Markdown line: line breaks become spaces, and
    /// every character Markdown or HTML would read as markup (`* _ [ ] < > # | & ~ ! \` and backticks) is
    /// backslash-escaped (CommonMark §2.4), so no text turns into a heading, a link, an entity or a tag.
    static func inline(_ text: String) -> String {
        var out = ""
        for c in text.split(whereSeparator: \.isNewline).joined(separator: " ") {
            if "\\`*_[]<>#|!&~".contains(c) { out.append("\\") }
            out.append(c)
        }
        return out
    }

    /// Escaped data that begins a line: also no list item (`-`, `+`, `1.`, `1)`), thematic break, setext
    /// underline or indented code block can start there.
    static func lineStart(_ escaped: String) -> String {
        let text = escaped.drop { $0 == " " || $0 == "\t" }
        let digits = text.prefix { $0.isASCII && $0.isNumber }
        if let first = text.first, "-+=".contains(first) { return "\\" + text }
        if !digits.isEmpty, let next = text.dropFirst(digits.count).first, next == "." || next == ")" {
            return digits + "\\" + text.dropFirst(digits.count)
        }
        return String(text)
    }

}

/// The sentences every format shares.
enum MemoText {
    static func periodSentence(_ memo: HearingMemo) -> String {
        let w = MemoWording.of(memo.language)
        let zone = memo.period.timeZone
        return w.periodSentence(from: MemoWording.date(memo.period.opensAt, language: memo.language, timeZone: zone),
                                to: MemoWording.date(memo.period.closesAt, language: memo.language, timeZone: zone), days: memo.period.days)
    }

    static func answer(_ answer: HearingMemo.PartyAnswer, _ w: MemoWording) -> String {
        switch answer {
        case .responded: w.responded
        case .noComments: w.noComments
        case .noResponse: w.noResponse
        }
    }

    /// "Jens Hansen, Ældresagen, på vegne af …" or, without a name, the kind: "Borger".
    static func sender(_ sender: HearingMemo.Sender, _ w: MemoWording) -> String {
        var parts = [sender.name ?? w.kinds[sender.kind] ?? sender.kind.rawValue]
        if let organisation = sender.organisation, organisation != parts[0] { parts.append(organisation) }
        var text = parts.joined(separator: ", ")
        if let onBehalfOf = sender.onBehalfOf { text += " (\(w.onBehalfOf) \(onBehalfOf))" }
        return text
    }

    static func counts(_ memo: HearingMemo, _ w: MemoWording) -> [(String, Int)] {
        let c = memo.counts
        return [(w.countResponses, c.responses), (w.countNoComments, c.noComments), (w.countLate, c.late),
                (w.countWithheld, c.withheld), (w.countInvited, c.partiesInvited), (w.countResponded, c.partiesResponded)]
    }
}
