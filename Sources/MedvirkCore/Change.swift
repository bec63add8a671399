import Foundation

/// The kinds of resource the change feed reports on.
public enum ChangeType: String, Sendable, CaseIterable {
    case municipality, council, member, meeting, minutes, decision, consultation, party, response
    case serviceArea = "service_area"
    case agendaItem = "agenda_item"
    case dialogueChannel = "dialogue_channel"
    case file
    /// A consultation's theme (admins only).
    case theme
    /// A published version of a consultation's hearing memo; its id is `<consultation id>-memo-<version>`.
    case memo
}

public enum ChangeAction: String, Sendable, CaseIterable {
    case created, updated, deleted
}

/// One entry of the change feed, as a given caller sees it.
public struct ChangeEvent: Sendable, Equatable {
    public var seq: Int64
    public var at: Date
    public var municipalityId: String
    public var type: ChangeType
    public var id: String
    /// The council, meeting or consultation a member, agenda item or party lives under.
    public var parentId: String?
    public var action: ChangeAction
    /// What happened, named as webhooks name it: `consultation.published`, `response.received`, …
    public var event: String
    /// The partner token a response's event concerns (its submitter), when the feed reader may know it.
    public var partnerTokenId: String?

    public init(seq: Int64, at: Date, municipalityId: String, type: ChangeType, id: String, parentId: String?, action: ChangeAction,
                event: String? = nil) {
        self.seq = seq
        self.at = at
        self.municipalityId = municipalityId
        self.type = type
        self.id = id
        self.parentId = parentId
        self.action = action
        self.event = event ?? Self.name(type, action: action, publicAction: nil)
    }

    /// The event a write that the writer did not name more precisely stands for, from what it did to the
    /// resource (`action`, as administrators see it; nil when only its public visibility changed) and to the
    /// public view (`publicAction`): a new response is `response.received`, one released to the public
    /// `response.published`, a consultation made public `consultation.published`, approved minutes becoming
    /// public `minutes.approved`, a party the public learns of `party.invited`; otherwise `<type>.<action>`, and
    /// `<type>.published`/`.unpublished` for a change of visibility alone.
    public static func name(_ type: ChangeType, action: ChangeAction?, publicAction: ChangeAction?) -> String {
        switch (action, publicAction) {
        case (.created?, _):
            return switch type {
            case .response: "response.received"
            case .party: "party.invited"
            case .memo: "memo.published"
            default: "\(type.rawValue).created"
            }
        case (.deleted?, _): return "\(type.rawValue).deleted"
        case (_, .created?):
            return switch type {
            case .minutes: "minutes.approved"
            case .party: "party.invited"
            default: "\(type.rawValue).published"
            }
        case (nil, .deleted?): return "\(type.rawValue).unpublished"
        default: return "\(type.rawValue).updated"
        }
    }

    /// Where the resource is read (or was, for a deletion).
    public var href: String {
        let parent = parentId ?? "-"
        return switch type {
        case .municipality: "/v1/municipalities/\(id)"
        case .serviceArea: "/v1/service-areas/\(id)"
        case .council: "/v1/councils/\(id)"
        case .member: "/v1/councils/\(parent)/members/\(id)"
        case .meeting: "/v1/meetings/\(id)"
        case .agendaItem: "/v1/meetings/\(parent)/agenda-items/\(id)"
        case .minutes: "/v1/meetings/\(id)/minutes"
        case .decision: "/v1/decisions/\(id)"
        case .consultation: "/v1/consultations/\(id)"
        case .party: "/v1/consultations/\(parent)/parties/\(id)"
        case .response: "/v1/responses/\(id)"
        case .dialogueChannel: "/v1/dialogue-channels/\(id)"
        case .file: "/v1/files/\(id)"
        case .theme: "/v1/themes/\(id)"
        case .memo: "/v1/consultations/\(parent)/memo?version=\(id.split(separator: "-").last.map(String.init) ?? "1")"
        }
    }
}

/// A page of the feed and the cursor to poll next; never nil, so a consumer can always continue.
public struct ChangePage: Sendable {
    public var events: [ChangeEvent]
    public var next: Int64

    public init(events: [ChangeEvent], next: Int64) {
        self.events = events
        self.next = next
    }
}
