import Foundation
import GRDB
import MedvirkCore

/// A row of `dialogue_channels`. The cadence is two columns, both set or both empty.
struct DialogueChannelRecord: SequencedRecord {
    static let databaseTableName = "dialogue_channels"
    var seq: Int64?
    var id: String
    var municipalityId: String
    var serviceAreaId: String
    /// `TargetGroup`, `UserCategory` and `ChannelKind` have no CHECK constraints: unknown values read as
    /// `service_users`, `other` and `other`.
    var targetGroup: String
    var userCategory: String
    var purpose: ChannelPurpose
    var kind: String
    var name: String
    var description: String?
    var cadenceCount: Double?
    var cadencePer: CadencePeriod?
    var volume: String?
    var assessment: String?
    var plannedChanges: String?
    var councilId: String?
    var active: Bool
    var createdAt: Date
    var updatedAt: Date
    var deletedAt: Date?

    /// A live row holding `draft`.
    init(seq: Int64? = nil, id: String, draft: DialogueChannelDraft, createdAt: Date, updatedAt: Date) {
        (self.seq, self.id, municipalityId, serviceAreaId) = (seq, id, draft.municipalityId, draft.serviceAreaId)
        (targetGroup, userCategory, purpose, kind) = (draft.targetGroup.rawValue, draft.userCategory.rawValue, draft.purpose, draft.kind.rawValue)
        (name, description, cadenceCount, cadencePer) = (draft.name, draft.description, draft.cadence?.count, draft.cadence?.per)
        (volume, assessment, plannedChanges, councilId, active) = (draft.volume, draft.assessment, draft.plannedChanges, draft.councilId, draft.active)
        (self.createdAt, self.updatedAt, deletedAt) = (createdAt, updatedAt, nil)
    }

    /// The same row holding `draft` instead, changed at `now`.
    func updated(_ draft: DialogueChannelDraft, at now: Date) -> DialogueChannelRecord {
        DialogueChannelRecord(seq: seq, id: id, draft: draft, createdAt: createdAt, updatedAt: now)
    }

    var channel: DialogueChannel {
        let draft = DialogueChannelDraft(
            municipalityId: municipalityId, serviceAreaId: serviceAreaId, targetGroup: TargetGroup(rawValue: targetGroup) ?? .serviceUsers,
            userCategory: UserCategory(rawValue: userCategory) ?? .other, purpose: purpose, kind: ChannelKind(rawValue: kind) ?? .other, name: name, description: description,
            cadence: cadencePer.flatMap { per in cadenceCount.map { Cadence(count: $0, per: per) } },
            volume: volume, assessment: assessment, plannedChanges: plannedChanges, councilId: councilId, active: active)
        return DialogueChannel(id: id, draft: draft, createdAt: createdAt, updatedAt: updatedAt)
    }

    /// The live (not deleted) row with this id.
    static func live(_ db: Database, _ id: String) throws -> DialogueChannelRecord? {
        try filter(Column("id") == id && Column("deleted_at") == nil).fetchOne(db)
    }
}
