import Foundation
import GRDB
import MedvirkCore

/// A row of `members`. `email` and `phone` are private (never in public answers or exports).
struct MemberRecord: SequencedRecord {
    static let databaseTableName = "members"
    var seq: Int64?
    var id: String
    var councilId: String
    var name: String
    /// `MemberRole` and `MemberGroup` (no CHECK constraints: unknown values read as `member` and `users`).
    var role: String
    var memberGroup: String
    var organisation: String?
    var nominatedBy: String?
    var voting: Bool
    var deputyOf: String?
    /// `YYYY-MM-DD`.
    var termStart: String
    var termEnd: String?
    var email: String?
    var phone: String?
    var createdAt: Date
    var updatedAt: Date
    var deletedAt: Date?

    /// A live row holding `draft`.
    init(seq: Int64? = nil, id: String, councilId: String, draft: MemberDraft, createdAt: Date, updatedAt: Date) {
        (self.seq, self.id, self.councilId, name, role, memberGroup) = (seq, id, councilId, draft.name, draft.role.rawValue, draft.group.rawValue)
        (organisation, nominatedBy, voting, deputyOf) = (draft.organisation, draft.nominatedBy, draft.voting, draft.deputyOf)
        (termStart, termEnd, email, phone) = (draft.termStart.text, draft.termEnd?.text, draft.email, draft.phone)
        (self.createdAt, self.updatedAt, deletedAt) = (createdAt, updatedAt, nil)
    }

    /// The same row holding `draft` instead, changed at `now`.
    func updated(_ draft: MemberDraft, at now: Date) -> MemberRecord {
        MemberRecord(seq: seq, id: id, councilId: councilId, draft: draft, createdAt: createdAt, updatedAt: now)
    }

    var member: Member {
        let draft = MemberDraft(
            name: name, role: MemberRole(rawValue: role) ?? .member, group: MemberGroup(rawValue: memberGroup) ?? .users, organisation: organisation, nominatedBy: nominatedBy, voting: voting,
            deputyOf: deputyOf, termStart: CalendarDate(termStart) ?? CalendarDate("1900-01-01")!,
            termEnd: termEnd.flatMap(CalendarDate.init), email: email, phone: phone)
        return Member(id: id, councilId: councilId, draft: draft, createdAt: createdAt, updatedAt: updatedAt)
    }

    /// The live (not deleted) row with this id.
    static func live(_ db: Database, _ id: String) throws -> MemberRecord? {
        try filter(Column("id") == id && Column("deleted_at") == nil).fetchOne(db)
    }
}
