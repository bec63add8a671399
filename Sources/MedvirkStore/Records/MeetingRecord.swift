import Foundation
import GRDB
import MedvirkCore

/// A row of `meetings`. `location`, `accessibility` and `registration` are JSON columns; `sequence` is the
/// iCalendar SEQUENCE, raised by every change (RFC 5545 §3.8.7.4).
struct MeetingRecord: SequencedRecord {
    static let databaseTableName = "meetings"
    var seq: Int64?
    var id: String
    var municipalityId: String
    var councilId: String?
    var consultationId: String?
    /// A `MeetingKind` (no CHECK constraint: an unknown value reads as `workshop`).
    var kind: String
    var title: String
    var description: String?
    var startsAt: Date
    var endsAt: Date
    var location: MeetingLocation?
    var onlineUrl: String?
    var `public`: Bool
    var status: MeetingStatus
    var accessibility: Accessibility?
    var registration: Registration?
    var documents: [ConsultationDocument]
    var sequence: Int
    var createdAt: Date
    var updatedAt: Date
    var deletedAt: Date?

    /// A live row holding `draft`.
    init(seq: Int64? = nil, id: String, draft: MeetingDraft, sequence: Int, createdAt: Date, updatedAt: Date) {
        (self.seq, self.id, municipalityId, councilId, consultationId) = (seq, id, draft.municipalityId, draft.councilId, draft.consultationId)
        (kind, title, description, startsAt, endsAt) = (draft.kind.rawValue, draft.title, draft.description, draft.startsAt, draft.endsAt)
        (location, onlineUrl, `public`, status) = (draft.location, draft.onlineURL, draft.isPublic, draft.status)
        (accessibility, registration, documents, self.sequence) = (draft.accessibility, draft.registration, draft.documents, sequence)
        (self.createdAt, self.updatedAt, deletedAt) = (createdAt, updatedAt, nil)
    }

    /// The same row holding `draft` instead, changed at `now`, with the next SEQUENCE.
    func updated(_ draft: MeetingDraft, at now: Date) -> MeetingRecord {
        MeetingRecord(seq: seq, id: id, draft: draft, sequence: sequence + 1, createdAt: createdAt, updatedAt: now)
    }

    var meeting: Meeting {
        let draft = MeetingDraft(
            municipalityId: municipalityId, councilId: councilId, consultationId: consultationId, kind: MeetingKind(rawValue: kind) ?? .workshop, title: title,
            description: description, startsAt: startsAt, endsAt: endsAt, location: location, onlineURL: onlineUrl,
            isPublic: `public`, status: status, accessibility: accessibility, registration: registration, documents: documents)
        return Meeting(id: id, draft: draft, sequence: sequence, createdAt: createdAt, updatedAt: updatedAt)
    }

    /// The live (not deleted) row with this id.
    static func live(_ db: Database, _ id: String) throws -> MeetingRecord? {
        try filter(Column("id") == id && Column("deleted_at") == nil).fetchOne(db)
    }
}
