import Foundation
import MedvirkCore

/// The per-response overview of a hearing memo, one row per response in the order received: the columns
/// Aarhus's overview tool uses (received, hearing, response id, subject, sender, speaks as, organisation,
/// summary, assessment) plus accommodated, answer type and late; headers in the memo's language. RFC 4180
/// with a BOM, through the formula-injection guard (`CSV.line`).
enum MemoCSV {
    static func render(_ memo: HearingMemo) -> String {
        let w = MemoWording.of(memo.language)
        let rows = memo.entries.map { e -> [String] in
            let themes = e.themeIds.compactMap { memo.themeTitles[$0] }.joined(separator: "; ")
            let speaksAs = (w.kinds[e.sender.kind] ?? e.sender.kind.rawValue) + (e.sender.onBehalfOf.map { " (\(w.onBehalfOf) \($0))" } ?? "")
            return [UTCTimestamp.secondsText(e.receivedAt), memo.title, e.receiptNumber, themes, e.sender.name ?? "", speaksAs,
                    e.sender.organisation ?? "", e.summary ?? "", e.assessment ?? "",
                    e.accommodated.map { w.accommodation[$0] ?? $0.rawValue } ?? "",
                    e.answerType == .noComments ? w.noComments : w.responded, e.late ? w.late : ""]
        }
        return "\u{FEFF}" + ([w.overviewColumns] + rows).map(CSV.line).joined()
    }
}
