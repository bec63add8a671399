import Foundation
import GRDB
import MedvirkCore

extension Store {
    /// Who the audit log names for what the re-screening changed.
    static let rescreening = WriteActor(tokenId: "medvirk:rescreening", tokenName: "National identity number re-screening",
                                        method: "PATCH", path: "", requestId: "")

    /// Screens every response screened with older rules (`screened_with` < `NationalIdScreening.version`)
    /// again, at start-up, after the migrations (0008 added the column). `contains_national_id` follows the
    /// new rules. A published response whose public fields now show a number leaves public view: back to
    /// `received`, with a `moderation_note` saying why, a feed entry and an audit log entry per response.
    static func rescreenResponses(_ db: Database, now: Date) throws {
        guard try db.columns(in: "responses").contains(where: { $0.name == "screened_with" }) else { return }
        let version = NationalIdScreening.version
        let rows = try Row.fetchAll(db, sql: "SELECT \(responseColumns) FROM responses r WHERE r.screened_with < ?", arguments: [version])
        let stamp = Timestamps.format(now)
        for row in rows {
            // A row this build cannot read (no respondent kind) is left for the moderators, marked screened.
            guard let response = try? response(row) else {
                try db.execute(sql: "UPDATE responses SET screened_with = ? WHERE seq = ?", arguments: [version, row[16]])
                continue
            }
            let flagged = HearingResponse.screen(response.submission)
            let exposed = response.status == .published
                && response.publicFields.contains { $0.text.map(NationalIdScreening.containsNationalId) ?? false }
            try db.execute(sql: "UPDATE responses SET contains_national_id = ?, screened_with = ? WHERE id = ?",
                           arguments: [flagged, version, response.id])
            guard exposed else { continue }
            let note = "Taken out of public view on \(stamp): the national identity number screening (rules version \(version)) "
                + "finds a number in a public field. Redact it and publish again."
            try db.execute(sql: "UPDATE responses SET status = 'received', moderation_note = ?, updated_at = ? WHERE id = ?",
                           arguments: [note, stamp, response.id])
            var actor = rescreening
            actor.path = "/v1/responses/\(response.id)"
            try recordWrite(db, actor: actor, municipality: response.municipalityId,
                            [.updated(.response, response.id), .updated(.consultation, response.consultationId)], now: now)
        }
    }
}
