import Foundation

public enum MeetingKind: String, Sendable, Codable, CaseIterable {
    case councilMeeting = "council_meeting", citizenMeeting = "citizen_meeting", openHouse = "open_house"
    case themeDay = "theme_day", informationMeeting = "information_meeting", workshop
}
public enum MeetingStatus: String, Sendable, Codable, CaseIterable { case planned, held, cancelled, postponed }

public struct MeetingLocation: Sendable, Equatable, Codable {
    public var name: String?
    public var address: String?
    public init(name: String?, address: String?) {
        self.name = name
        self.address = address
    }
}

public struct Accessibility: Sendable, Equatable, Codable {
    public var stepFree: Bool?
    public var hearingLoop: Bool?
    public var signLanguageInterpreter: Bool?
    public var notes: String?
    public init(stepFree: Bool?, hearingLoop: Bool?, signLanguageInterpreter: Bool?, notes: String?) {
        self.stepFree = stepFree
        self.hearingLoop = hearingLoop
        self.signLanguageInterpreter = signLanguageInterpreter
        self.notes = notes
    }
}

public struct Registration: Sendable, Equatable, Codable {
    public var required: Bool
    public var url: String?
    public var deadline: Date?
    public init(required: Bool, url: String?, deadline: Date?) {
        self.required = required
        self.url = url
        self.deadline = deadline
    }
}

/// The writable fields of a meeting (møde).
public struct MeetingDraft: Sendable, Equatable {
    public var municipalityId: String
    public var councilId: String?
    public var consultationId: String?
    public var kind: MeetingKind
    public var title: String
    public var description: String?
    public var startsAt: Date
    public var endsAt: Date
    public var location: MeetingLocation?
    public var onlineURL: String?
    public var isPublic: Bool
    public var status: MeetingStatus
    public var accessibility: Accessibility?
    public var registration: Registration?
    /// The invitation, the signed minutes and other papers: links or hosted files.
    public var documents: [ConsultationDocument]

    public init(municipalityId: String, councilId: String?, consultationId: String?, kind: MeetingKind, title: String,
                description: String?, startsAt: Date, endsAt: Date, location: MeetingLocation?, onlineURL: String?,
                isPublic: Bool, status: MeetingStatus, accessibility: Accessibility?, registration: Registration?,
                documents: [ConsultationDocument] = []) {
        self.documents = documents
        self.municipalityId = municipalityId
        self.councilId = councilId
        self.consultationId = consultationId
        self.kind = kind
        self.title = title
        self.description = description
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.location = location
        self.onlineURL = onlineURL
        self.isPublic = isPublic
        self.status = status
        self.accessibility = accessibility
        self.registration = registration
    }

    /// Rules the meeting keeps on its own: 422s. `held` before the start is a 409 (see `checkStatus`).
    public func validate() throws {
        var errors = Rules.text("title", title, max: 300)
        errors += Rules.optionalText("description", description, max: 10_000)
        if endsAt <= startsAt { errors.append(FieldError("ends_at", "must be after starts_at")) }
        errors += Rules.timestamp("starts_at", startsAt) + Rules.timestamp("ends_at", endsAt)
        errors += Rules.timestamp("registration.deadline", registration?.deadline)
        errors += Rules.optionalText("location.name", location?.name, max: 200)
        errors += Rules.optionalText("location.address", location?.address, max: 300)
        errors += Rules.url("online_url", onlineURL)
        errors += Rules.optionalText("accessibility.notes", accessibility?.notes, max: 1000)
        errors += Rules.url("registration.url", registration?.url)
        errors += ConsultationDocument.check(documents, publish: isPublic)
        if kind == .councilMeeting && councilId == nil {
            errors.append(FieldError("council_id", "a council meeting needs a council"))
        }
        if isPublic {
            errors += NationalIdScreening.check([("title", title), ("description", description), ("accessibility.notes", accessibility?.notes),
                                                 ("location.name", location?.name), ("location.address", location?.address),
                                                 ("online_url", onlineURL), ("registration.url", registration?.url)])
        }
        try Problem.check(errors)
    }

    public func checkStatus(now: Date) throws {
        if status == .held && now < startsAt {
            throw Problem.conflict("meeting-not-started", "A meeting can be marked held only once it has started.")
        }
    }
}

public struct Meeting: Sendable, Equatable {
    public var id: String
    public var draft: MeetingDraft
    /// Raised on every change, for the calendar's SEQUENCE.
    public var sequence: Int
    public var createdAt: Date
    public var updatedAt: Date

    public init(id: String, draft: MeetingDraft, sequence: Int, createdAt: Date, updatedAt: Date) {
        self.id = id
        self.draft = draft
        self.sequence = sequence
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

public struct MeetingFilter: Sendable {
    public var municipality: String?
    public var council: String?
    public var kind: MeetingKind?
    public var status: MeetingStatus?
    public var from: Date?
    public var to: Date?
    /// Who is asking: what it may read (see `Reader`).
    public var reader: Reader

    public init(municipality: String? = nil, council: String? = nil, kind: MeetingKind? = nil, status: MeetingStatus? = nil,
                from: Date? = nil, to: Date? = nil, reader: Reader = .anyone) {
        self.municipality = municipality
        self.council = council
        self.kind = kind
        self.status = status
        self.from = from
        self.to = to
        self.reader = reader
    }
}

public enum AgendaItemKind: String, Sendable, Codable, CaseIterable { case information, discussion, advice, decision }

/// The writable fields of an agenda item (punkt på saksliste).
public struct AgendaItemDraft: Sendable, Equatable {
    public var position: Int?
    public var title: String
    public var description: String?
    public var kind: AgendaItemKind
    public var isPublic: Bool
    public var documents: [ConsultationDocument]
    public var consultationId: String?

    public init(position: Int?, title: String, description: String?, kind: AgendaItemKind, isPublic: Bool,
                documents: [ConsultationDocument], consultationId: String?) {
        self.position = position
        self.title = title
        self.description = description
        self.kind = kind
        self.isPublic = isPublic
        self.documents = documents
        self.consultationId = consultationId
    }

    public func validate() throws {
        var errors = Rules.text("title", title, max: 300)
        errors += Rules.optionalText("description", description, max: 10_000)
        errors += Rules.range("position", position, 1...500)
        // A public item's text is published with the agenda; a closed item's never is.
        errors += ConsultationDocument.check(documents, publish: isPublic)
        if isPublic {
            errors += NationalIdScreening.check([("title", title), ("description", description)])
        }
        try Problem.check(errors)
    }
}

public struct AgendaItem: Sendable, Equatable {
    public var id: String
    public var meetingId: String
    public var position: Int
    public var draft: AgendaItemDraft

    public init(id: String, meetingId: String, position: Int, draft: AgendaItemDraft) {
        self.id = id
        self.meetingId = meetingId
        self.position = position
        self.draft = draft
    }
}

public struct Minutes: Sendable, Equatable {
    public var meetingId: String
    public var text: String
    public var present: [String]
    public var absent: [String]
    public var approvedAt: Date?
    public var updatedAt: Date

    public init(meetingId: String, text: String, present: [String], absent: [String], approvedAt: Date?, updatedAt: Date) {
        self.meetingId = meetingId
        self.text = text
        self.present = present
        self.absent = absent
        self.approvedAt = approvedAt
        self.updatedAt = updatedAt
    }

    public var isApproved: Bool { approvedAt != nil }
}

public enum FollowUpStatus: String, Sendable, Codable, CaseIterable {
    case pending, followed, partlyFollowed = "partly_followed", notFollowed = "not_followed"
}

public struct FollowUp: Sendable, Equatable {
    public var status: FollowUpStatus
    public var feedback: String?
    public var respondedAt: CalendarDate?

    public init(status: FollowUpStatus, feedback: String?, respondedAt: CalendarDate?) {
        self.status = status
        self.feedback = feedback
        self.respondedAt = respondedAt
    }

    /// Not following advice, wholly or partly, needs stated reasons.
    public func validate() throws {
        var errors = Rules.optionalText("feedback", feedback, max: 10_000)
        if (status == .partlyFollowed || status == .notFollowed)
            && (feedback ?? "").trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            errors.append(FieldError("feedback", "a justification is required when the advice is \(status == .notFollowed ? "not" : "only partly") followed"))
        }
        try Problem.check(errors)
    }
}

public struct Votes: Sendable, Equatable, Codable {
    public var inFavour: Int
    public var against: Int
    public var abstain: Int
    public init(inFavour: Int, against: Int, abstain: Int) {
        self.inFavour = inFavour
        self.against = against
        self.abstain = abstain
    }
    public var total: Int { inFavour + against + abstain }
}

/// An advisory decision (rådgivende vedtak) recorded on an agenda item.
public struct Decision: Sendable, Equatable {
    public var id: String
    public var meetingId: String
    public var agendaItemId: String
    public var councilId: String
    public var text: String
    public var votes: Votes
    public var followUp: FollowUp
    public var consultationId: String?
    public var responseReceipt: String?
    public var createdAt: Date
    public var updatedAt: Date

    public init(id: String, meetingId: String, agendaItemId: String, councilId: String, text: String, votes: Votes,
                followUp: FollowUp, consultationId: String?, responseReceipt: String?, createdAt: Date, updatedAt: Date) {
        self.id = id
        self.meetingId = meetingId
        self.agendaItemId = agendaItemId
        self.councilId = councilId
        self.text = text
        self.votes = votes
        self.followUp = followUp
        self.consultationId = consultationId
        self.responseReceipt = responseReceipt
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}
