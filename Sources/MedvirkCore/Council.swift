import Foundation

public enum CouncilKind: String, Sendable, Codable, CaseIterable {
    case userCouncil = "user_council", relativesCouncil = "relatives_council", seniorCouncil = "senior_council"
    case disabilityCouncil = "disability_council", parentBoard = "parent_board", schoolBoard = "school_board"
    case pupilCouncil = "pupil_council", youthCouncil = "youth_council", localCouncil = "local_council"
    case employmentCouncil = "employment_council", businessCouncil = "business_council"
    case buildingCommittee = "building_committee", other
}

public enum CouncilStatus: String, Sendable, Codable, CaseIterable { case active, dissolved }
public enum CouncilAuthority: String, Sendable, Codable, CaseIterable { case advisory, decisionMaking = "decision_making" }
public enum LegalBasisKind: String, Sendable, Codable, CaseIterable { case statutory, bylaws, voluntary }
public enum MemberGroup: String, Sendable, Codable, CaseIterable { case users, relatives, staff, management, politicians, organisation }
public enum MemberRole: String, Sendable, Codable, CaseIterable { case chair, viceChair = "vice_chair", member, secretary, observer }

public struct LegalBasis: Sendable, Equatable, Codable {
    public var kind: LegalBasisKind
    public var reference: String?

    public init(kind: LegalBasisKind, reference: String?) {
        self.kind = kind
        self.reference = reference
    }
}

/// A block of seats: how many members a group holds, who nominates them, whether they vote.
public struct Seat: Sendable, Equatable, Codable {
    public var group: MemberGroup
    public var count: Int
    public var nominatedBy: String?
    public var voting: Bool

    public init(group: MemberGroup, count: Int, nominatedBy: String?, voting: Bool) {
        self.group = group
        self.count = count
        self.nominatedBy = nominatedBy
        self.voting = voting
    }

    enum CodingKeys: String, CodingKey {
        case group, count, voting
        case nominatedBy = "nominated_by"
    }
}

/// The writable fields of a council.
public struct CouncilDraft: Sendable, Equatable, Codable {
    public var municipalityId: String
    public var serviceAreaId: String?
    public var name: String
    public var kind: CouncilKind
    public var unit: String?
    public var description: String?
    public var legalBasis: LegalBasis
    public var authority: CouncilAuthority
    public var hearingRights: [String]
    public var minMeetingsPerYear: Int?
    public var termYears: Int?
    public var seats: [Seat]
    public var contactEmail: String?
    public var website: String?
    public var status: CouncilStatus
    public var establishedOn: CalendarDate?
    public var dissolvedOn: CalendarDate?

    public init(municipalityId: String, serviceAreaId: String?, name: String, kind: CouncilKind, unit: String?,
                description: String?, legalBasis: LegalBasis, authority: CouncilAuthority, hearingRights: [String],
                minMeetingsPerYear: Int?, termYears: Int?, seats: [Seat], contactEmail: String?, website: String?,
                status: CouncilStatus, establishedOn: CalendarDate?, dissolvedOn: CalendarDate?) {
        self.municipalityId = municipalityId
        self.serviceAreaId = serviceAreaId
        self.name = name
        self.kind = kind
        self.unit = unit
        self.description = description
        self.legalBasis = legalBasis
        self.authority = authority
        self.hearingRights = hearingRights
        self.minMeetingsPerYear = minMeetingsPerYear
        self.termYears = termYears
        self.seats = seats
        self.contactEmail = contactEmail
        self.website = website
        self.status = status
        self.establishedOn = establishedOn
        self.dissolvedOn = dissolvedOn
    }

    /// The rules a council must keep on its own; references to other records are checked by the store.
    public func validate() throws {
        var errors = Rules.text("name", name, max: 200)
        errors += Rules.optionalText("unit", unit, max: 200)
        errors += Rules.optionalText("description", description, max: 5000)
        errors += Rules.optionalText("legal_basis.reference", legalBasis.reference, max: 300)
        errors += Rules.maxItems("hearing_rights", hearingRights.count, max: 50)
        for (i, topic) in hearingRights.enumerated() { errors += Rules.text("hearing_rights[\(i)]", topic, max: 200) }
        errors += Rules.range("min_meetings_per_year", minMeetingsPerYear, 0...52)
        errors += Rules.range("term_years", termYears, 1...10)
        errors += Rules.maxItems("seats", seats.count, max: 30)
        for (i, seat) in seats.enumerated() {
            errors += Rules.range("seats[\(i)].count", seat.count, 1...99)
            errors += Rules.optionalText("seats[\(i)].nominated_by", seat.nominatedBy, max: 200)
        }
        errors += Rules.email("contact_email", contactEmail)
        errors += Rules.url("website", website)
        if let established = establishedOn, let dissolved = dissolvedOn, dissolved < established {
            errors.append(FieldError("dissolved_on", "must not be before established_on"))
        }
        // A council is public, all of it but its contact e-mail.
        errors += NationalIdScreening.check([("name", name), ("unit", unit), ("description", description), ("legal_basis.reference", legalBasis.reference)]
                                            + hearingRights.enumerated().map { ("hearing_rights[\($0.offset)]", $0.element) }
                                            + seats.enumerated().map { ("seats[\($0.offset)].nominated_by", $0.element.nominatedBy) })
        try Problem.check(errors)
    }

    /// Seats per group (a group may appear in several seat blocks, e.g. nominated by different bodies).
    public var seatsByGroup: [MemberGroup: (count: Int, voting: Bool)] {
        var result: [MemberGroup: (count: Int, voting: Bool)] = [:]
        for seat in seats {
            let current = result[seat.group] ?? (0, false)
            result[seat.group] = (current.count + seat.count, current.voting || seat.voting)
        }
        return result
    }
}

/// A council (råd) as stored.
public struct Council: Sendable, Equatable {
    public var id: String
    public var draft: CouncilDraft
    public var createdAt: Date
    public var updatedAt: Date

    public init(id: String, draft: CouncilDraft, createdAt: Date, updatedAt: Date) {
        self.id = id
        self.draft = draft
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// Filters for listing councils.
public struct CouncilFilter: Sendable {
    public var municipality: String?
    public var kind: CouncilKind?
    public var serviceArea: String?
    public var status: CouncilStatus?
    public var query: String?

    public init(municipality: String? = nil, kind: CouncilKind? = nil, serviceArea: String? = nil,
                status: CouncilStatus? = nil, query: String? = nil) {
        self.municipality = municipality
        self.kind = kind
        self.serviceArea = serviceArea
        self.status = status
        self.query = query
    }
}
