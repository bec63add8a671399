import Foundation
import GRDB
import MedvirkCore

/// A row of `decisions`. A `Decision` also shows its agenda item's consultation and the receipt of the
/// response it was filed as: `Store.decisionColumns` reads those beside this row's columns.
struct DecisionRecord: SequencedRecord {
    static let databaseTableName = "decisions"
    var seq: Int64?
    var id: String
    var meetingId: String
    var agendaItemId: String
    var councilId: String
    var text: String
    var votesFor: Int
    var votesAgainst: Int
    var votesAbstain: Int
    var followUpStatus: FollowUpStatus
    var feedback: String?
    /// `YYYY-MM-DD`.
    var respondedAt: String?
    var responseId: String?
    var createdAt: Date
    var updatedAt: Date

    /// A new decision, its follow-up pending.
    init(id: String, meetingId: String, agendaItemId: String, councilId: String, text: String, votes: Votes, at now: Date) {
        (self.id, self.meetingId, self.agendaItemId, self.councilId, self.text) = (id, meetingId, agendaItemId, councilId, text)
        (votesFor, votesAgainst, votesAbstain) = (votes.inFavour, votes.against, votes.abstain)
        (followUpStatus, feedback, respondedAt, responseId, createdAt, updatedAt) = (.pending, nil, nil, nil, now, now)
    }

    /// The decision with the joined `item_consultation_id` and `receipt_number` (nil when absent from `row`).
    func decision(consultationId: String?, responseReceipt: String?) -> Decision {
        Decision(id: id, meetingId: meetingId, agendaItemId: agendaItemId, councilId: councilId, text: text,
                 votes: Votes(inFavour: votesFor, against: votesAgainst, abstain: votesAbstain),
                 followUp: FollowUp(status: followUpStatus, feedback: feedback, respondedAt: respondedAt.flatMap(CalendarDate.init)),
                 consultationId: consultationId, responseReceipt: responseReceipt, createdAt: createdAt, updatedAt: updatedAt)
    }

    static func find(_ db: Database, _ id: String) throws -> DecisionRecord? {
        try filter(Column("id") == id).fetchOne(db)
    }
}
