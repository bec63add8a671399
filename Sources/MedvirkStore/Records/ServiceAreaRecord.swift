import Foundation
import GRDB
import MedvirkCore

/// A row of `service_areas`.
struct ServiceAreaRecord: SequencedRecord {
    static let databaseTableName = "service_areas"
    var seq: Int64?
    var id: String
    var municipalityId: String
    var name: String
    var description: String?
    var createdAt: Date
    var updatedAt: Date
    var deletedAt: Date?

    var serviceArea: ServiceArea {
        ServiceArea(id: id, municipalityId: municipalityId, name: name, description: description, createdAt: createdAt, updatedAt: updatedAt)
    }

    /// The live (not deleted) row with this id.
    static func live(_ db: Database, _ id: String) throws -> ServiceAreaRecord? {
        try filter(Column("id") == id && Column("deleted_at") == nil).fetchOne(db)
    }
}
