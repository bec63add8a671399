import Crypto
import Foundation

public enum RespondentKind: String, Sendable, Codable, CaseIterable { case citizen, organisation, council, business, authority }
public enum ResponseStatus: String, Sendable, Codable, CaseIterable { case received, published, withheld, withdrawn }

public struct Respondent: Sendable, Equatable, Codable {
    public var kind: RespondentKind
    public var name: String?
    public var organisation: String?
    /// Private: never public.
    public var email: String?
    /// Private: never public.
    public var address: String?
    public var onBehalfOf: String?
    public var publishName: Bool

    public init(kind: RespondentKind, name: String?, organisation: String?, email: String?, address: String?,
                onBehalfOf: String?, publishName: Bool) {
        self.kind = kind
        self.name = name
        self.organisation = organisation
        self.email = email
        self.address = address
        self.onBehalfOf = onBehalfOf
        self.publishName = publishName
    }

    enum CodingKeys: String, CodingKey {
        case kind, name, organisation, email, address
        case onBehalfOf = "on_behalf_of"
        case publishName = "publish_name"
    }
}

/// What a partner submits.
public struct Submission: Sendable, Equatable {
    public var respondent: Respondent
    public var text: String
    public var partyId: String?
    /// Files the submitting token uploaded, with their sha256 looked up before hashing.
    public var attachments: [AttachmentInput]

    public init(respondent: Respondent, text: String, partyId: String?, attachments: [AttachmentInput] = []) {
        self.respondent = respondent
        self.text = text
        self.partyId = partyId
        self.attachments = attachments
    }

    public func validate() throws {
        var errors: [FieldError] = []
        // Stops at the first visible character instead of copying a trimmed text of up to 100 000 characters.
        let blank = CharacterSet.whitespacesAndNewlines
        if text.unicodeScalars.allSatisfy(blank.contains) { errors.append(FieldError("text", "must not be blank")) }
        errors += Rules.length("text", text, max: 100_000)
        errors += Rules.optionalText("respondent.name", respondent.name, max: 200)
        errors += Rules.optionalText("respondent.organisation", respondent.organisation, max: 200)
        errors += Rules.email("respondent.email", respondent.email)
        errors += Rules.optionalText("respondent.address", respondent.address, max: 500)
        errors += Rules.optionalText("respondent.on_behalf_of", respondent.onBehalfOf, max: 200)
        if respondent.publishName && (respondent.name ?? "").isEmpty {
            errors.append(FieldError("respondent.name", "is required when publish_name is true"))
        }
        errors += Rules.maxItems("attachments", attachments.count, max: 10)
        var seen: Set<String> = []
        for (i, attachment) in attachments.enumerated() {
            errors += Rules.text("attachments[\(i)].title", attachment.title, max: 200)
            errors += Rules.text("attachments[\(i)].file_id", attachment.fileId, max: 64)
            if !seen.insert(attachment.fileId).inserted { errors.append(FieldError("attachments[\(i)].file_id", "names a file already listed")) }
        }
        try Problem.check(errors)
    }

    /// The canonical content: sorted-key JSON of what was submitted, for the receipt hash and idempotency.
    /// Attachments count with their files' sha256, so the receipt covers the bytes; a submission without
    /// attachments hashes as it did before they existed.
    public func canonical(consultationId: String) -> Data {
        struct Canonical: Encodable {
            var consultation_id: String
            var party_id: String?
            var respondent: Respondent
            var text: String
            var attachments: [AttachmentInput]?
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(Canonical(consultation_id: consultationId, party_id: partyId, respondent: respondent, text: text,
                                              attachments: attachments.isEmpty ? nil : attachments))) ?? Data()
    }

    public func sha256(consultationId: String) -> String {
        Hex.string(SHA256.hash(data: canonical(consultationId: consultationId)))
    }

    /// Every free text the public view of the response can show, by field name: the text, the organisation,
    /// "on behalf of", and the name when the respondent agreed to publish it.
    public var publishableFields: [(name: String, text: String?)] {
        [("text", text), ("respondent.organisation", respondent.organisation), ("respondent.on_behalf_of", respondent.onBehalfOf),
         ("respondent.name", respondent.publishName ? respondent.name : nil)]
    }
}

/// A hearing response (høringssvar) as stored.
public struct HearingResponse: Sendable, Equatable {
    public var id: String
    public var consultationId: String
    public var municipalityId: String
    public var receiptNumber: String
    public var tokenId: String
    public var submission: Submission
    public var receivedAt: Date
    public var late: Bool
    public var sha256: String
    public var containsNationalId: Bool
    public var status: ResponseStatus
    public var withheldReason: String?
    public var redactions: [String]
    public var updatedAt: Date
    /// Why the service itself changed the moderation (a re-screening took it out of public view); nil otherwise.
    public var moderationNote: String?
    /// The attached files, in the order submitted, with their moderation.
    public var attachments: [ResponseAttachment] = []

    public init(id: String, consultationId: String, municipalityId: String, receiptNumber: String, tokenId: String,
                submission: Submission, receivedAt: Date, late: Bool, sha256: String, containsNationalId: Bool,
                status: ResponseStatus, withheldReason: String?, redactions: [String], updatedAt: Date, moderationNote: String? = nil,
                attachments: [ResponseAttachment] = []) {
        self.id = id
        self.consultationId = consultationId
        self.municipalityId = municipalityId
        self.receiptNumber = receiptNumber
        self.tokenId = tokenId
        self.submission = submission
        self.receivedAt = receivedAt
        self.late = late
        self.sha256 = sha256
        self.containsNationalId = containsNationalId
        self.status = status
        self.withheldReason = withheldReason
        self.redactions = redactions
        self.updatedAt = updatedAt
        self.moderationNote = moderationNote
        self.attachments = attachments
    }

    /// The text as the public sees it: every redaction replaced by `[…]`.
    public var publicText: String { Redaction.apply(redactions, to: submission.text) }

    /// Every free text the public view can show, as written, by field name. Redactions apply to all of them.
    public var publishableFields: [(name: String, text: String?)] { submission.publishableFields }

    /// The same fields as the public sees them, after redaction.
    public var publicFields: [(name: String, text: String?)] {
        publishableFields.map { ($0.name, $0.text.map { Redaction.apply(redactions, to: $0) }) }
    }

    /// Whether anything the public view could show holds a national identity number, before redaction.
    public static func screen(_ submission: Submission) -> Bool {
        submission.publishableFields.contains { $0.text.map(NationalIdScreening.containsNationalId) ?? false }
    }

    /// The response as it was when its submission was acknowledged: what a replay of that submission
    /// answers, whatever moderation did since. Everything else in a stored response never changes.
    public var asReceived: HearingResponse {
        var original = self
        original.status = .received
        original.withheldReason = nil
        original.redactions = []
        original.updatedAt = receivedAt
        original.attachments = attachments.map { attachment in
            var received = attachment
            received.status = .withheld
            received.reason = nil
            received.personalDataChecked = false
            received.replacementFileId = nil
            received.replacement = nil
            return received
        }
        return original
    }
}

public enum Redaction {
    public static let mark = "[…]"

    public static func apply(_ redactions: [String], to text: String) -> String {
        redactions.reduce(text) { $0.replacingOccurrences(of: $1, with: mark) }
    }
}

/// The moderation an admin asks for.
public struct Moderation: Sendable {
    public var status: ResponseStatus?
    public var withheldReason: String?
    public var redactions: [String]?

    public init(status: ResponseStatus?, withheldReason: String?, redactions: [String]?) {
        self.status = status
        self.withheldReason = withheldReason
        self.redactions = redactions
    }

    /// The contract's limits; rules that need the stored response are the store's.
    public func validate() throws {
        var errors = Rules.optionalText("withheld_reason", withheldReason, max: 2000)
        if let redactions {
            errors += Rules.maxItems("redactions", redactions.count, max: 100)
            for (i, redaction) in redactions.enumerated() {
                errors += redaction.isEmpty ? [FieldError("redactions[\(i)]", "must not be empty")] : Rules.length("redactions[\(i)]", redaction, max: 1000)
            }
        }
        if status == .received || status == .withdrawn {
            errors.append(FieldError("status", "must be published or withheld"))
        }
        try Problem.check(errors)
    }
}
