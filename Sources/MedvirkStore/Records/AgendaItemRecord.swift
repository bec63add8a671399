import Foundation
import GRDB
import MedvirkCore

/// A row of `agenda_items`. Positions are 1...n without gaps among a meeting's live items (`Store.renumber`);
/// `documents` is a JSON column.
struct AgendaItemRecord: SequencedRecord {
    static let databaseTableName = "agenda_items"
    var seq: Int64?
    var id: String
    var meetingId: String
    var position: Int
    var title: String
    var description: String?
    /// An `AgendaItemKind` (no CHECK constraint: an unknown value reads as `information`).
    var kind: String
    var `public`: Bool
    var documents: [ConsultationDocument]
    var consultationId: String?
    var createdAt: Date
    var updatedAt: Date
    var deletedAt: Date?

    /// A live row holding `draft` at `position`.
    init(seq: Int64? = nil, id: String, meetingId: String, position: Int, draft: AgendaItemDraft, createdAt: Date, updatedAt: Date) {
        (self.seq, self.id, self.meetingId, self.position) = (seq, id, meetingId, position)
        (title, description, kind, `public`) = (draft.title, draft.description, draft.kind.rawValue, draft.isPublic)
        (documents, consultationId) = (draft.documents, draft.consultationId)
        (self.createdAt, self.updatedAt, deletedAt) = (createdAt, updatedAt, nil)
    }

    /// The same row holding `draft` instead (its position is left to `renumber`), changed at `now`.
    func updated(_ draft: AgendaItemDraft, at now: Date) -> AgendaItemRecord {
        AgendaItemRecord(seq: seq, id: id, meetingId: meetingId, position: position, draft: draft, createdAt: createdAt, updatedAt: now)
    }

    var agendaItem: AgendaItem {
        let draft = AgendaItemDraft(position: position, title: title, description: description, kind: AgendaItemKind(rawValue: kind) ?? .information, isPublic: `public`,
                                    documents: documents, consultationId: consultationId)
        return AgendaItem(id: id, meetingId: meetingId, position: position, draft: draft)
    }

    /// The live (not deleted) item with this id on this meeting.
    static func live(_ db: Database, _ id: String, meeting: String) throws -> AgendaItemRecord? {
        try filter(Column("id") == id && Column("meeting_id") == meeting && Column("deleted_at") == nil).fetchOne(db)
    }
}
