import Foundation
import GRDB
import MedvirkCore

/// A row of `parties`, for writing. Reads stay as they are (`Store.partyColumns`, with whether the party
/// responded): every submission reads the submitting token's parties inside the single writer.
struct PartyRecord: SequencedRecord {
    static let databaseTableName = "parties"
    var seq: Int64?
    var id: String
    var consultationId: String
    var name: String
    var kind: PartyKind
    var councilId: String?
    var partnerTokenId: String?
    var invitedAt: Date
    var deletedAt: Date?

    static func live(_ db: Database, _ id: String) throws -> PartyRecord? {
        try filter(Column("id") == id && Column("deleted_at") == nil).fetchOne(db)
    }
}
