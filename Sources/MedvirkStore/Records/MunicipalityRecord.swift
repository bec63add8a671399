import Foundation
import GRDB
import MedvirkCore

/// A row of `municipalities`.
struct MunicipalityRecord: SequencedRecord {
    static let databaseTableName = "municipalities"
    var seq: Int64?
    var id: String
    var name: String
    var country: String
    var language: String
    var timeZone: String
    /// Nil only between migration 0011 and the start-up step that assigns prefixes.
    var receiptPrefix: String?
    var website: String?
    var minHearingDays: Int?
    var personalDataRetentionDays: Int?
    var createdAt: Date
    var updatedAt: Date
    var deletedAt: Date?

    var municipality: Municipality {
        let country = Country(rawValue: country) ?? .dk
        return Municipality(id: id, name: name, country: country, language: Language(rawValue: language) ?? .default(for: country),
                            timeZone: timeZone, receiptPrefix: receiptPrefix ?? "", website: website,
                            minHearingDaysSetting: minHearingDays, retentionDaysSetting: personalDataRetentionDays,
                            createdAt: createdAt, updatedAt: updatedAt)
    }

    /// The live (not deleted) row with this id.
    static func live(_ db: Database, _ id: String) throws -> MunicipalityRecord? {
        try filter(Column("id") == id && Column("deleted_at") == nil).fetchOne(db)
    }
}
