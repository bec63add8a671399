import Foundation

/// The writable fields of a member.
public struct MemberDraft: Sendable, Equatable {
    public var name: String
    public var role: MemberRole
    public var group: MemberGroup
    public var organisation: String?
    public var nominatedBy: String?
    public var voting: Bool
    public var deputyOf: String?
    public var termStart: CalendarDate
    public var termEnd: CalendarDate?
    /// Private: shown to admin callers only.
    public var email: String?
    /// Private: shown to admin callers only.
    public var phone: String?

    public init(name: String, role: MemberRole, group: MemberGroup, organisation: String?, nominatedBy: String?,
                voting: Bool, deputyOf: String?, termStart: CalendarDate, termEnd: CalendarDate?, email: String?, phone: String?) {
        self.name = name
        self.role = role
        self.group = group
        self.organisation = organisation
        self.nominatedBy = nominatedBy
        self.voting = voting
        self.deputyOf = deputyOf
        self.termStart = termStart
        self.termEnd = termEnd
        self.email = email
        self.phone = phone
    }

    /// Rules the member keeps on its own and against its council's seats.
    public func validate(seats: [MemberGroup: (count: Int, voting: Bool)]) -> [FieldError] {
        var errors = Rules.text("name", name, max: 200)
        errors += Rules.optionalText("organisation", organisation, max: 200)
        errors += Rules.optionalText("nominated_by", nominatedBy, max: 200)
        errors += Rules.email("email", email)
        errors += Rules.phone("phone", phone)
        if let termEnd, termEnd < termStart { errors.append(FieldError("term_end", "must not be before term_start")) }
        // Names, organisations and nominating bodies are public; e-mail and phone are not.
        errors += NationalIdScreening.check([("name", name), ("organisation", organisation), ("nominated_by", nominatedBy)])
        if !seats.isEmpty {
            if let seat = seats[group] {
                if voting && !seat.voting { errors.append(FieldError("voting", "the '\(group.rawValue)' seats of this council do not vote")) }
            } else {
                let groups = seats.keys.map(\.rawValue).sorted().joined(separator: ", ")
                errors.append(FieldError("group", "'\(group.rawValue)' holds no seats in this council (seat groups: \(groups))"))
            }
        }
        return errors
    }

    public func activeOn(_ date: CalendarDate) -> Bool {
        termStart <= date && (termEnd.map { date <= $0 } ?? true)
    }
}

/// A member (medlem) holding a seat in a council for a term.
public struct Member: Sendable, Equatable {
    public var id: String
    public var councilId: String
    public var draft: MemberDraft
    public var createdAt: Date
    public var updatedAt: Date

    public init(id: String, councilId: String, draft: MemberDraft, createdAt: Date, updatedAt: Date) {
        self.id = id
        self.councilId = councilId
        self.draft = draft
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

public enum SeatRules {
    /// The most terms that overlap on any single day. Terms are closed intervals; nil end means open-ended.
    public static func maxOverlap(_ terms: [(start: CalendarDate, end: CalendarDate?)]) -> Int {
        // Sweep: +1 at each start, -1 the day after each end. Ends sort after starts on the same day
        // because an end date is inclusive.
        var events: [(String, Int)] = []
        for term in terms {
            events.append((term.start.text + "0", 1))
            if let end = term.end { events.append((end.text + "1", -1)) }
        }
        events.sort { $0.0 < $1.0 }
        var current = 0, best = 0
        for (_, delta) in events {
            current += delta
            best = max(best, current)
        }
        return best
    }
}
