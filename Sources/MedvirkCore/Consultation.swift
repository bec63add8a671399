import Foundation

public enum ConsultationStatus: String, Sendable, Codable, CaseIterable { case draft, published, concluded, withdrawn }
public enum ConsultationPhase: String, Sendable, Codable, CaseIterable { case upcoming, open, closed }
public enum Audience: String, Sendable, Codable, CaseIterable { case `public`, invited }
public enum LatePolicy: String, Sendable, Codable, CaseIterable { case reject, acceptFlagged = "accept_flagged" }
public enum PublishResponses: String, Sendable, Codable, CaseIterable { case afterDeadline = "after_deadline", onApproval = "on_approval", never }

/// A document of a consultation, meeting or agenda item: a link to a file hosted elsewhere (`url`), or a file
/// hosted by Medvirk (`fileId`, with its `kind` and `language`), never both.
public struct ConsultationDocument: Sendable, Equatable, Codable {
    public var title: String
    public var url: String?
    public var fileId: String?
    public var kind: DocumentKind?
    /// ISO 639-1, such as `da`, `nb`, `nn`, `en`.
    public var language: String?
    /// The hosted file's facts, filled in by the store when it attaches the file (a file never changes).
    public var file: FileSummary?

    public init(title: String, url: String?, fileId: String? = nil, kind: DocumentKind? = nil, language: String? = nil) {
        self.title = title
        self.url = url
        self.fileId = fileId
        self.kind = kind
        self.language = language
    }

    enum CodingKeys: String, CodingKey {
        case title, url, kind, language, file
        case fileId = "file_id"
    }

    /// The rules every owner's `documents` share: at most 50, each with a title and exactly one of a link or
    /// a file; a hosted file's kind defaults to `other`. `publish`: the text fields are screened for national
    /// identity numbers (they are published with their owner).
    public static func check(_ documents: [ConsultationDocument], publish: Bool) -> [FieldError] {
        var errors = Rules.maxItems("documents", documents.count, max: 50)
        for (i, document) in documents.enumerated() {
            errors += Rules.text("documents[\(i)].title", document.title, max: 200)
            switch (document.url, document.fileId) {
            case (nil, nil): errors.append(FieldError("documents[\(i)]", "needs either url or file_id"))
            case (.some, .some): errors.append(FieldError("documents[\(i)]", "takes url or file_id, not both"))
            case (let url?, nil):
                errors += Rules.url("documents[\(i)].url", url)
                if document.kind != nil || document.language != nil {
                    errors.append(FieldError("documents[\(i)]", "kind and language are for hosted files (file_id) only"))
                }
            case (nil, let fileId?):
                errors += Rules.text("documents[\(i)].file_id", fileId, max: 64)
                if let language = document.language, !(language.count == 2 && language.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) })) {
                    errors.append(FieldError("documents[\(i)].language", "must be an ISO 639-1 code of two lowercase letters, such as da, nb, nn or en"))
                }
            }
        }
        if publish {
            errors += NationalIdScreening.check(documents.enumerated().flatMap {
                [("documents[\($0.offset)].title", $0.element.title), ("documents[\($0.offset)].url", $0.element.url)]
            })
        }
        var seen: Set<String> = []
        for (i, document) in documents.enumerated() {
            if let id = document.fileId, !seen.insert(id).inserted {
                errors.append(FieldError("documents[\(i)].file_id", "names a file already listed"))
            }
        }
        return errors
    }

    /// The ids of the hosted files.
    public static func fileIds(_ documents: [ConsultationDocument]) -> [String] { documents.compactMap(\.fileId) }
}

public struct Conclusion: Sendable, Equatable, Codable {
    public var summary: String?
    public var memoURL: String?
    public var concludedAt: Date?
    public init(summary: String?, memoURL: String?, concludedAt: Date?) {
        self.summary = summary
        self.memoURL = memoURL
        self.concludedAt = concludedAt
    }
}

/// The writable fields of a consultation (høring).
public struct ConsultationDraft: Sendable, Equatable {
    public var municipalityId: String
    public var serviceAreaId: String?
    public var title: String
    public var summary: String?
    public var body: String?
    public var caseNumber: String?
    public var documents: [ConsultationDocument]
    public var opensAt: Date
    public var closesAt: Date
    public var status: ConsultationStatus
    public var audience: Audience
    public var latePolicy: LatePolicy
    public var publishResponses: PublishResponses
    public var conclusion: Conclusion?
    public var tags: [String]
    /// Why the period is shorter than the municipality's minimum (`HearingPeriod`); public, printed in the memo.
    public var shortPeriodReason: String?
    /// The hearing memo's admin-written sections (plain text or Markdown); public once a memo is published.
    public var memoIntroduction: String?
    public var memoRecommendation: String?
    /// Days after the end until respondents' personal data is erased; nil takes the municipality's.
    public var retentionDays: Int?

    public init(municipalityId: String, serviceAreaId: String?, title: String, summary: String?, body: String?,
                caseNumber: String?, documents: [ConsultationDocument], opensAt: Date, closesAt: Date,
                status: ConsultationStatus, audience: Audience, latePolicy: LatePolicy,
                publishResponses: PublishResponses, conclusion: Conclusion?, tags: [String], shortPeriodReason: String? = nil,
                memoIntroduction: String? = nil, memoRecommendation: String? = nil, retentionDays: Int? = nil) {
        self.shortPeriodReason = shortPeriodReason
        self.memoIntroduction = memoIntroduction
        self.memoRecommendation = memoRecommendation
        self.retentionDays = retentionDays
        self.municipalityId = municipalityId
        self.serviceAreaId = serviceAreaId
        self.title = title
        self.summary = summary
        self.body = body
        self.caseNumber = caseNumber
        self.documents = documents
        self.opensAt = opensAt
        self.closesAt = closesAt
        self.status = status
        self.audience = audience
        self.latePolicy = latePolicy
        self.publishResponses = publishResponses
        self.conclusion = conclusion
        self.tags = tags
    }

    public func validate() throws {
        var errors = Rules.text("title", title, max: 300)
        errors += Rules.optionalText("summary", summary, max: 5000)
        errors += Rules.optionalText("body", body, max: 100_000)
        errors += Rules.optionalText("case_number", caseNumber, max: 50)
        errors += ConsultationDocument.check(documents, publish: true)
        if closesAt <= opensAt { errors.append(FieldError("closes_at", "must be after opens_at")) }
        errors += Rules.timestamp("opens_at", opensAt) + Rules.timestamp("closes_at", closesAt)
        errors += Rules.maxItems("tags", tags.count, max: 20)
        for (i, tag) in tags.enumerated() { errors += Rules.text("tags[\(i)]", tag, max: 50) }
        errors += Rules.optionalText("conclusion.summary", conclusion?.summary, max: 20_000)
        errors += Rules.url("conclusion.memo_url", conclusion?.memoURL)
        errors += Rules.optionalText("short_period_reason", shortPeriodReason, max: 2000)
        errors += Rules.optionalText("memo_introduction", memoIntroduction, max: 20_000)
        errors += Rules.optionalText("memo_recommendation", memoRecommendation, max: 20_000)
        if let retentionDays, !(1...3650).contains(retentionDays) {
            errors.append(FieldError("personal_data_retention_days", "must be 1 to 3650 days"))
        }
        // Everything here is written to be published (the memo's sections with the memo).
        errors += NationalIdScreening.check([("title", title), ("summary", summary), ("body", body), ("case_number", caseNumber),
                                             ("conclusion.summary", conclusion?.summary), ("conclusion.memo_url", conclusion?.memoURL),
                                             ("short_period_reason", shortPeriodReason), ("memo_introduction", memoIntroduction),
                                             ("memo_recommendation", memoRecommendation)]
                                            + tags.enumerated().map { ("tags[\($0.offset)]", $0.element) })
        try Problem.check(errors)
    }

    public func phase(at now: Date) -> ConsultationPhase {
        if now < opensAt { return .upcoming }
        return now < closesAt ? .open : .closed
    }

    /// Whether anonymous callers and partners may see it at all.
    public var isPublic: Bool { status == .published || status == .concluded }

    /// The lifecycle rules for changing `self` into `next` at time `now`: 409 with the reason, or 422.
    /// `hasMemo`: a published hearing memo stands, which concludes on its own (no `conclusion.summary` needed).
    public func checkChange(to next: ConsultationDraft, now: Date, hasMemo: Bool = false) throws {
        switch (status, next.status) {
        case (.draft, .draft), (.draft, .published), (.published, .published),
             (.published, .withdrawn), (.published, .concluded):
            break
        case (.concluded, .concluded), (.withdrawn, .withdrawn):
            // One that was concluded by a memo since retracted may still be given its summary, and nothing else.
            var unchanged = next
            let blank = { (text: String?) in (text ?? "").trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }
            if status == .concluded && !hasMemo && blank(conclusion?.summary) && !blank(next.conclusion?.summary) {
                unchanged.conclusion?.summary = conclusion?.summary
            }
            if unchanged != self { throw Problem.conflict("consultation-final", "A \(status.rawValue) consultation cannot be changed.") }
        default:
            throw Problem.conflict("invalid-transition", "A consultation cannot go from \(status.rawValue) to \(next.status.rawValue); the lifecycle is draft → published → concluded, or published → withdrawn.")
        }
        if status == .published {
            if next.closesAt < closesAt {
                throw Problem.conflict("deadline-brought-forward", "After publishing, closes_at may be extended but not brought forward.")
            }
            if next.opensAt != opensAt && now >= opensAt {
                throw Problem.conflict("already-open", "opens_at cannot move once the consultation has opened.")
            }
        }
        if next.status == .concluded && status == .published {
            if now < closesAt {
                throw Problem.conflict("consultation-still-open", "A consultation can be concluded only after its deadline.")
            }
            if !hasMemo && (next.conclusion?.summary ?? "").trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                throw Problem.validation([FieldError("conclusion.summary", "is required to conclude a consultation without a published hearing memo")])
            }
        }
    }
}

public struct Consultation: Sendable, Equatable {
    public var id: String
    public var draft: ConsultationDraft
    public var received: Int
    public var published: Int
    public var createdAt: Date
    public var updatedAt: Date
    /// Its municipality's IANA time zone, for the dates people read (the period, the memo).
    public var timeZone: String = "UTC"
    /// The latest published hearing memo that is not retracted.
    public var memo: MemoVersionInfo?
    public var withdrawnAt: Date?
    public var personalDataErasedAt: Date?

    public init(id: String, draft: ConsultationDraft, received: Int, published: Int, createdAt: Date, updatedAt: Date) {
        self.id = id
        self.draft = draft
        self.received = received
        self.published = published
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// The hearing period in calendar days (`HearingPeriod.days`).
    public var hearingDays: Int { HearingPeriod.days(opensAt: draft.opensAt, closesAt: draft.closesAt, timeZone: timeZone) }
}

/// A published version of a hearing memo, as the consultation's conclusion points at it.
public struct MemoVersionInfo: Sendable, Equatable, Codable {
    public var version: Int
    public var publishedAt: Date
    public var retractedAt: Date?
    public var retractionReason: String?

    public init(version: Int, publishedAt: Date, retractedAt: Date? = nil, retractionReason: String? = nil) {
        self.version = version
        self.publishedAt = publishedAt
        self.retractedAt = retractedAt
        self.retractionReason = retractionReason
    }

    /// Where the version is read.
    public func href(consultation: String) -> String { "/v1/consultations/\(consultation)/memo?version=\(version)" }
}

public struct ConsultationFilter: Sendable {
    public var municipality: String?
    public var phase: ConsultationPhase?
    public var status: ConsultationStatus?
    public var serviceArea: String?
    public var query: String?
    /// Who is asking: what it may read (see `Reader`).
    public var reader: Reader

    public init(municipality: String? = nil, phase: ConsultationPhase? = nil, status: ConsultationStatus? = nil,
                serviceArea: String? = nil, query: String? = nil, reader: Reader = .anyone) {
        self.municipality = municipality
        self.phase = phase
        self.status = status
        self.serviceArea = serviceArea
        self.query = query
        self.reader = reader
    }
}

public enum PartyKind: String, Sendable, Codable, CaseIterable { case council, organisation, authority, other }

/// A hearing-entitled party (høringsberettiget).
public struct Party: Sendable, Equatable {
    public var id: String
    public var consultationId: String
    public var name: String
    public var kind: PartyKind
    public var councilId: String?
    public var partnerTokenId: String?
    public var invitedAt: Date
    public var responded: Bool

    public init(id: String, consultationId: String, name: String, kind: PartyKind, councilId: String?,
                partnerTokenId: String?, invitedAt: Date, responded: Bool) {
        self.id = id
        self.consultationId = consultationId
        self.name = name
        self.kind = kind
        self.councilId = councilId
        self.partnerTokenId = partnerTokenId
        self.invitedAt = invitedAt
        self.responded = responded
    }
}
