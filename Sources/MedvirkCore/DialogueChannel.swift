import Foundation

public enum TargetGroup: String, Sendable, Codable, CaseIterable {
    case boardsAndCouncils = "boards_and_councils", hearingParties = "hearing_parties"
    case serviceUsers = "service_users", partnersAndVolunteers = "partners_and_volunteers"
}
public enum UserCategory: String, Sendable, Codable, CaseIterable {
    case childrenAndYouth = "children_and_youth", citizenService = "citizen_service", elderly, specialNeeds = "special_needs"
    case employment, culture, technicalAndEnvironment = "technical_and_environment", other
}
public enum ChannelPurpose: String, Sendable, Codable, CaseIterable { case formal, informal }
public enum ChannelKind: String, Sendable, Codable, CaseIterable {
    case website, facebook, sms, digitalPost = "digital_post", email, phone, letter, newsletter, brochure, signage
    case selfService = "self_service", app, press, citizenMeeting = "citizen_meeting", councilMeeting = "council_meeting"
    case personalMeeting = "personal_meeting", other
}
public enum CadencePeriod: String, Sendable, Codable, CaseIterable { case week, month, quarter, year }

public struct Cadence: Sendable, Equatable {
    public var count: Double
    public var per: CadencePeriod
    public init(count: Double, per: CadencePeriod) {
        self.count = count
        self.per = per
    }
}

/// The writable fields of a dialogue channel (kanal).
public struct DialogueChannelDraft: Sendable, Equatable {
    public var municipalityId: String
    public var serviceAreaId: String
    public var targetGroup: TargetGroup
    public var userCategory: UserCategory
    public var purpose: ChannelPurpose
    public var kind: ChannelKind
    public var name: String
    public var description: String?
    public var cadence: Cadence?
    public var volume: String?
    public var assessment: String?
    public var plannedChanges: String?
    public var councilId: String?
    public var active: Bool

    public init(municipalityId: String, serviceAreaId: String, targetGroup: TargetGroup, userCategory: UserCategory,
                purpose: ChannelPurpose, kind: ChannelKind, name: String, description: String?, cadence: Cadence?,
                volume: String?, assessment: String?, plannedChanges: String?, councilId: String?, active: Bool) {
        self.municipalityId = municipalityId
        self.serviceAreaId = serviceAreaId
        self.targetGroup = targetGroup
        self.userCategory = userCategory
        self.purpose = purpose
        self.kind = kind
        self.name = name
        self.description = description
        self.cadence = cadence
        self.volume = volume
        self.assessment = assessment
        self.plannedChanges = plannedChanges
        self.councilId = councilId
        self.active = active
    }

    public func errors() -> [FieldError] {
        var errors = Rules.text("name", name, max: 200)
        errors += Rules.optionalText("description", description, max: 5000)
        errors += Rules.optionalText("volume", volume, max: 500)
        errors += Rules.optionalText("assessment", assessment, max: 5000)
        errors += Rules.optionalText("planned_changes", plannedChanges, max: 5000)
        errors += Rules.range("cadence.count", cadence?.count, 0...1000)
        errors += NationalIdScreening.check([("name", name), ("description", description), ("volume", volume), ("assessment", assessment),
                                             ("planned_changes", plannedChanges)])
        return errors
    }

    public func validate() throws { try Problem.check(errors()) }
}

public struct DialogueChannel: Sendable, Equatable {
    public var id: String
    public var draft: DialogueChannelDraft
    public var createdAt: Date
    public var updatedAt: Date
    public init(id: String, draft: DialogueChannelDraft, createdAt: Date, updatedAt: Date) {
        self.id = id
        self.draft = draft
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

public struct ChannelFilter: Sendable {
    public var municipality: String?
    public var serviceArea: String?
    public var targetGroup: TargetGroup?
    public var userCategory: UserCategory?
    public var purpose: ChannelPurpose?
    public var kind: ChannelKind?
    public init(municipality: String? = nil, serviceArea: String? = nil, targetGroup: TargetGroup? = nil,
                userCategory: UserCategory? = nil, purpose: ChannelPurpose? = nil, kind: ChannelKind? = nil) {
        self.municipality = municipality
        self.serviceArea = serviceArea
        self.targetGroup = targetGroup
        self.userCategory = userCategory
        self.purpose = purpose
        self.kind = kind
    }
}

/// One row of an inventory import, before its service area is known by id.
public struct ChannelImportRow: Sendable {
    public var line: Int
    /// The channel the row updates; nil for a row that creates one.
    public var id: String?
    public var serviceAreaName: String
    public var draft: DialogueChannelDraft
    /// The file's columns: on an update, a field whose column the file does not have keeps its stored value.
    public var columns: Set<String>
    public init(line: Int, id: String? = nil, serviceAreaName: String, draft: DialogueChannelDraft, columns: Set<String> = []) {
        self.line = line
        self.id = id
        self.serviceAreaName = serviceAreaName
        self.draft = draft
        self.columns = columns
    }

    /// The row applied to the channel as stored: fields from the file's columns, the rest as they were (a
    /// spreadsheet with fewer columns than the export never blanks what it does not show).
    public func draft(updating current: DialogueChannelDraft) -> DialogueChannelDraft {
        var draft = self.draft
        if !columns.contains("description") { draft.description = current.description }
        if !columns.contains("cadence_count") && !columns.contains("cadence_per") { draft.cadence = current.cadence }
        if !columns.contains("volume") { draft.volume = current.volume }
        if !columns.contains("assessment") { draft.assessment = current.assessment }
        if !columns.contains("planned_changes") { draft.plannedChanges = current.plannedChanges }
        if !columns.contains("council_id") { draft.councilId = current.councilId }
        if !columns.contains("active") { draft.active = current.active }
        return draft
    }
}

/// What an import may refer to: the municipality's live channels and councils, so every bad id of a file is
/// reported in one answer.
public struct ChannelImportReferences: Sendable {
    public var channels: Set<String>
    public var councils: Set<String>
    public init(channels: Set<String>, councils: Set<String>) {
        self.channels = channels
        self.councils = councils
    }
}

/// What an inventory import did: channels created and updated, and the names of service areas it created.
public struct ChannelImportResult: Sendable, Equatable {
    public var created = 0
    public var updated = 0
    public var serviceAreasCreated: [String] = []
    public init() {}
}
