import Foundation
import GRDB
import MedvirkCore

/// A row of `councils`. `legal_basis`, `hearing_rights` and `seats` are JSON columns (GRDB encodes nested
/// Codable values as JSON, with `JSONColumn`'s coders).
struct CouncilRecord: SequencedRecord {
    static let databaseTableName = "councils"
    var seq: Int64?
    var id: String
    var municipalityId: String
    var serviceAreaId: String?
    var name: String
    /// A `CouncilKind` (no CHECK constraint: a value this version does not know reads as `other`).
    var kind: String
    var unit: String?
    var description: String?
    var legalBasis: LegalBasis
    var authority: CouncilAuthority
    var hearingRights: [String]
    var minMeetingsPerYear: Int?
    var termYears: Int?
    var seats: [Seat]
    var contactEmail: String?
    var website: String?
    var status: CouncilStatus
    /// `YYYY-MM-DD`.
    var establishedOn: String?
    var dissolvedOn: String?
    var createdAt: Date
    var updatedAt: Date
    var deletedAt: Date?

    /// A live row holding `draft`.
    init(seq: Int64? = nil, id: String, draft: CouncilDraft, createdAt: Date, updatedAt: Date) {
        (self.seq, self.id, municipalityId, serviceAreaId, name) = (seq, id, draft.municipalityId, draft.serviceAreaId, draft.name)
        (kind, unit, description, legalBasis, authority) = (draft.kind.rawValue, draft.unit, draft.description, draft.legalBasis, draft.authority)
        (hearingRights, minMeetingsPerYear, termYears, seats) = (draft.hearingRights, draft.minMeetingsPerYear, draft.termYears, draft.seats)
        (contactEmail, website, status) = (draft.contactEmail, draft.website, draft.status)
        (establishedOn, dissolvedOn) = (draft.establishedOn?.text, draft.dissolvedOn?.text)
        (self.createdAt, self.updatedAt, deletedAt) = (createdAt, updatedAt, nil)
    }

    /// The same row holding `draft` instead, changed at `now`.
    func updated(_ draft: CouncilDraft, at now: Date) -> CouncilRecord {
        CouncilRecord(seq: seq, id: id, draft: draft, createdAt: createdAt, updatedAt: now)
    }

    var council: Council {
        let draft = CouncilDraft(
            municipalityId: municipalityId, serviceAreaId: serviceAreaId, name: name, kind: CouncilKind(rawValue: kind) ?? .other, unit: unit, description: description,
            legalBasis: legalBasis, authority: authority, hearingRights: hearingRights, minMeetingsPerYear: minMeetingsPerYear,
            termYears: termYears, seats: seats, contactEmail: contactEmail, website: website, status: status,
            establishedOn: establishedOn.flatMap(CalendarDate.init), dissolvedOn: dissolvedOn.flatMap(CalendarDate.init))
        return Council(id: id, draft: draft, createdAt: createdAt, updatedAt: updatedAt)
    }

    /// The live (not deleted) row with this id.
    static func live(_ db: Database, _ id: String) throws -> CouncilRecord? {
        try filter(Column("id") == id && Column("deleted_at") == nil).fetchOne(db)
    }
}
