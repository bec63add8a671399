import Foundation
import GRDB
import MedvirkCore

/// A row of `consultations`, for writing. Reads stay positional (`Store.consultationFields`): every
/// submission reads its consultation inside the single writer (Benchmarks/README.md). `documents` and
/// `tags` are JSON columns; the conclusion is three columns.
struct ConsultationRecord: SequencedRecord {
    static let databaseTableName = "consultations"
    var seq: Int64?
    var id: String
    var municipalityId: String
    var serviceAreaId: String?
    var title: String
    var summary: String?
    var body: String?
    var caseNumber: String?
    var documents: [ConsultationDocument]
    var opensAt: Date
    var closesAt: Date
    var status: ConsultationStatus
    var audience: Audience
    var latePolicy: LatePolicy
    var publishResponses: PublishResponses
    var conclusionSummary: String?
    var conclusionMemoUrl: String?
    var concludedAt: Date?
    var tags: [String]
    var shortPeriodReason: String?
    var memoIntroduction: String?
    var memoRecommendation: String?
    var personalDataRetentionDays: Int?
    var withdrawnAt: Date?
    var personalDataErasedAt: Date?
    var createdAt: Date
    var updatedAt: Date
    var deletedAt: Date?

    /// A live row holding `draft`.
    init(seq: Int64? = nil, id: String, draft: ConsultationDraft, createdAt: Date, updatedAt: Date) {
        (self.seq, self.id, municipalityId, serviceAreaId, title) = (seq, id, draft.municipalityId, draft.serviceAreaId, draft.title)
        (summary, body, caseNumber, documents) = (draft.summary, draft.body, draft.caseNumber, draft.documents)
        (opensAt, closesAt, status, audience) = (draft.opensAt, draft.closesAt, draft.status, draft.audience)
        (latePolicy, publishResponses, tags) = (draft.latePolicy, draft.publishResponses, draft.tags)
        (conclusionSummary, conclusionMemoUrl, concludedAt) = (draft.conclusion?.summary, draft.conclusion?.memoURL, draft.conclusion?.concludedAt)
        (shortPeriodReason, memoIntroduction, memoRecommendation) = (draft.shortPeriodReason, draft.memoIntroduction, draft.memoRecommendation)
        personalDataRetentionDays = draft.retentionDays
        (self.createdAt, self.updatedAt, deletedAt) = (createdAt, updatedAt, nil)
    }

    /// The same row holding `draft` instead, changed at `now` (what only the service writes is kept).
    func updated(_ draft: ConsultationDraft, at now: Date) -> ConsultationRecord {
        var record = ConsultationRecord(seq: seq, id: id, draft: draft, createdAt: createdAt, updatedAt: now)
        (record.withdrawnAt, record.personalDataErasedAt) = (withdrawnAt, personalDataErasedAt)
        return record
    }

    /// The live (not deleted) row with this id.
    static func live(_ db: Database, _ id: String) throws -> ConsultationRecord? {
        try filter(Column("id") == id && Column("deleted_at") == nil).fetchOne(db)
    }
}
