import Crypto
import Foundation

public enum RespondentKind: String, Sendable, Codable, CaseIterable { case citizen, organisation, council, business, authority }
public enum ResponseStatus: String, Sendable, Codable, CaseIterable { case received, published, withheld, withdrawn }
/// `noComments`: the party answers that it has no comments (Danish "ingen bemærkninger", Norwegian "uten merknad").
public enum AnswerType: String, Sendable, Codable, CaseIterable { case withComments = "with_comments", noComments = "no_comments" }
/// Whether the authority accommodated a response, as the hearing memo says it.
public enum Accommodated: String, Sendable, Codable, CaseIterable { case yes, partly, no, notApplicable = "not_applicable" }

/// The administration's reading of a response for the hearing memo: a summary, the themes it is grouped
/// under, the assessment and whether it was accommodated. Private to admins until a published memo shows it.
public struct ResponseAnalysis: Sendable, Equatable {
    public var summary: String?
    public var themeIds: [String]
    public var assessment: String?
    public var accommodated: Accommodated?
    public var updatedAt: Date?

    public init(summary: String?, themeIds: [String], assessment: String?, accommodated: Accommodated?, updatedAt: Date? = nil) {
        self.summary = summary
        self.themeIds = themeIds
        self.assessment = assessment
        self.accommodated = accommodated
        self.updatedAt = updatedAt
    }

    /// The contract's limits, and the national identity number screening of the texts the memo publishes
    /// (422 naming `analysis.summary` or `analysis.assessment`).
    public func validate() throws {
        var errors = Rules.optionalText("analysis.summary", summary, max: 5000)
        errors += Rules.optionalText("analysis.assessment", assessment, max: 10_000)
        errors += Rules.maxItems("analysis.theme_ids", themeIds.count, max: 20)
        var seen: Set<String> = []
        for (i, id) in themeIds.enumerated() {
            errors += Rules.text("analysis.theme_ids[\(i)]", id, max: 64)
            if !seen.insert(id).inserted { errors.append(FieldError("analysis.theme_ids[\(i)]", "names a theme already listed")) }
        }
        errors += NationalIdScreening.check([("analysis.summary", summary), ("analysis.assessment", assessment)])
        try Problem.check(errors)
    }
}

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
    /// A `noComments` answer may leave the text empty.
    public var answerType: AnswerType

    public init(respondent: Respondent, text: String, partyId: String?, attachments: [AttachmentInput] = [],
                answerType: AnswerType = .withComments) {
        self.respondent = respondent
        self.text = text
        self.partyId = partyId
        self.attachments = attachments
        self.answerType = answerType
    }

    public func validate() throws {
        var errors: [FieldError] = []
        // Stops at the first visible character instead of copying a trimmed text of up to 100 000 characters.
        let blank = CharacterSet.whitespacesAndNewlines
        if answerType == .withComments && text.unicodeScalars.allSatisfy(blank.contains) {
            errors.append(FieldError("text", "must not be blank unless answer_type is no_comments"))
        }
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
    /// attachments hashes as it did before they existed, and so does one with comments (the default).
    public func canonical(consultationId: String) -> Data {
        struct Canonical: Encodable {
            var consultation_id: String
            var party_id: String?
            var respondent: Respondent
            var text: String
            var attachments: [AttachmentInput]?
            var answer_type: AnswerType?
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(Canonical(consultation_id: consultationId, party_id: partyId, respondent: respondent, text: text,
                                              attachments: attachments.isEmpty ? nil : attachments,
                                              answer_type: answerType == .withComments ? nil : answerType))) ?? Data()
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
    /// The administration's analysis for the hearing memo; nil until there is one.
    public var analysis: ResponseAnalysis?
    /// When the retention erased the respondent's contact fields.
    public var personalDataErasedAt: Date?

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
        original.analysis = nil
        original.personalDataErasedAt = nil
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
    /// What the patch does to the analysis.
    public var analysis: AnalysisChange

    public enum AnalysisChange: Sendable, Equatable {
        case keep, remove
        case set(ResponseAnalysis)
    }

    public init(status: ResponseStatus?, withheldReason: String?, redactions: [String]?, analysis: AnalysisChange = .keep) {
        self.status = status
        self.withheldReason = withheldReason
        self.redactions = redactions
        self.analysis = analysis
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
        if case .set(let analysis) = analysis { try analysis.validate() }
    }
}
