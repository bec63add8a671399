import Foundation
import GRDB
import MedvirkCore

/// Which members a list shows: those holding a seat on a date, or every term.
public enum MemberSelection: Sendable {
    case on(CalendarDate)
    case all
}

extension Store {
    static func liveMember(_ db: Database, _ id: String) throws -> Member? {
        try MemberRecord.live(db, id)?.member
    }

    /// A live member of a live council.
    public func member(_ id: String, council councilId: String) async throws -> Member? {
        try await pool.read { db in
            guard let member = try Self.liveMember(db, id), member.councilId == councilId else { return nil }
            return member
        }
    }

    public func members(council councilId: String, _ selection: MemberSelection, _ page: PageRequest) async throws -> Page<Member> {
        try await pool.read { db in
            let date: String? = if case .on(let day) = selection { day.text } else { nil }
            let records = try MemberRecord.fetchAll(db, sql: """
                SELECT * FROM members
                WHERE council_id = ?3 AND deleted_at IS NULL AND seq > ?1
                  AND (?4 IS NULL OR (term_start <= ?4 AND (term_end IS NULL OR term_end >= ?4)))
                ORDER BY seq LIMIT ?2
                """, arguments: [page.after?.after ?? 0, page.limit + 1, councilId, date])
            return self.page(records, limit: page.limit, map: \.member)
        }
    }

    // MARK: Rules that need the database

    /// Checks a member against the deputy and seat rules of its council, as if `member` replaced `replacing`.
    static func checkMember(_ db: Database, council: Council, member: MemberDraft, replacing id: String?) throws {
        var errors = member.validate(seats: council.draft.seatsByGroup)
        if let deputyOf = member.deputyOf {
            if deputyOf == id {
                errors.append(FieldError("deputy_of", "a member cannot be their own deputy"))
            } else if let principal = try liveMember(db, deputyOf) {
                if principal.councilId != council.id {
                    errors.append(FieldError("deputy_of", "member '\(deputyOf)' belongs to another council"))
                }
            } else {
                errors.append(FieldError("deputy_of", "no member '\(deputyOf)' in this council"))
            }
        }
        try Problem.check(errors)
        var others = try liveMembers(db, council: council.id).filter { $0.id != id }.map(\.draft)
        others.append(member)
        try checkSeatCapacity(others, seats: council.draft.seatsByGroup, field: "voting")
    }

    static func liveMembers(_ db: Database, council: String) throws -> [Member] {
        try MemberRecord.fetchAll(db, sql: "SELECT * FROM members WHERE council_id = ? AND deleted_at IS NULL", arguments: [council]).map(\.member)
    }

    /// No group may have more voting members than seats on any date.
    static func checkSeatCapacity(_ members: [MemberDraft], seats: [MemberGroup: (count: Int, voting: Bool)], field: String) throws {
        guard !seats.isEmpty else { return }
        var errors: [FieldError] = []
        for group in MemberGroup.allCases {
            let terms = members.filter { $0.group == group && $0.voting }.map { (start: $0.termStart, end: $0.termEnd) }
            guard !terms.isEmpty else { continue }
            let capacity = seats[group]?.count ?? 0
            let most = SeatRules.maxOverlap(terms)
            if most > capacity {
                errors.append(FieldError(field, "group '\(group.rawValue)' would have \(most) voting members on some date but holds \(capacity) seat(s)"))
            }
        }
        try Problem.check(errors)
    }

    /// When a council's seats change, its current members must still fit.
    static func checkSeatsHoldMembers(_ db: Database, councilId: String, seats: [MemberGroup: (count: Int, voting: Bool)]) throws {
        guard !seats.isEmpty else { return }
        let members = try liveMembers(db, council: councilId).map(\.draft)
        for member in members where seats[member.group] == nil || (member.voting && seats[member.group]?.voting == false) {
            throw Problem.validation([FieldError("seats", "member '\(member.name)' of group '\(member.group.rawValue)' would have no \(member.voting ? "voting " : "")seat")])
        }
        try checkSeatCapacity(members, seats: seats, field: "seats")
    }

    // MARK: Writes

    public func createMember(council councilId: String, _ draft: MemberDraft, actor: WriteActor) async throws -> Member {
        try await pool.write { db in
            guard let council = try Self.liveCouncil(db, councilId) else { throw Problem.notFound("council", councilId) }
            try Self.checkMember(db, council: council, member: draft, replacing: nil)
            let now = self.clock.now()
            let record = MemberRecord(id: Identifiers.make("mem"), councilId: councilId, draft: draft, createdAt: now, updatedAt: now)
            try record.insert(db)
            try Self.recordWrite(db, actor: actor, municipality: council.draft.municipalityId, [.created(.member, record.id)], now: now)
            return record.member
        }
    }

    public func updateMember(_ id: String, council councilId: String, _ draft: MemberDraft, actor: WriteActor) async throws -> Member {
        try await pool.write { db in
            guard let council = try Self.liveCouncil(db, councilId) else { throw Problem.notFound("council", councilId) }
            guard let current = try MemberRecord.live(db, id), current.councilId == councilId else { throw Problem.notFound("member", id) }
            try Self.checkMember(db, council: council, member: draft, replacing: current.id)
            let now = self.clock.now()
            let record = current.updated(draft, at: now)
            try record.update(db)
            try Self.recordWrite(db, actor: actor, municipality: council.draft.municipalityId, [.updated(.member, id)], now: now)
            return record.member
        }
    }

    /// Refuses (409) while another member is this member's personal deputy.
    public func deleteMember(_ id: String, council councilId: String, actor: WriteActor) async throws {
        try await pool.write { db in
            guard let council = try Self.liveCouncil(db, councilId) else { throw Problem.notFound("council", councilId) }
            guard var record = try MemberRecord.live(db, id), record.councilId == councilId else { throw Problem.notFound("member", id) }
            let deputies = try String.fetchAll(db, sql: "SELECT id FROM members WHERE deputy_of = ? AND deleted_at IS NULL", arguments: [id])
            if !deputies.isEmpty {
                throw Problem.conflict("member-has-deputy", "Member '\(id)' has personal deputy \(deputies.joined(separator: ", ")); remove or reassign the deputy first.")
            }
            let now = self.clock.now()
            (record.deletedAt, record.updatedAt) = (now, now)
            try record.update(db)
            try Self.recordWrite(db, actor: actor, municipality: council.draft.municipalityId, [.deleted(.member, id)], now: now)
        }
    }
}
