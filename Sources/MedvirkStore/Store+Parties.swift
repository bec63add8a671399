import Foundation
import GRDB
import MedvirkCore

extension Store {
    static let partyColumns = """
        p.*, EXISTS (SELECT 1 FROM responses r WHERE r.party_id = p.id AND r.status != 'withdrawn') AS responded
        """

    static func party(_ row: Row) -> Party {
        Party(id: row["id"], consultationId: row["consultation_id"], name: row["name"],
              kind: PartyKind(rawValue: row["kind"]) ?? .other, councilId: row["council_id"],
              partnerTokenId: row["partner_token_id"], invitedAt: Timestamps.parse(row["invited_at"]), responded: row["responded"])
    }

    static func liveParty(_ db: Database, _ id: String) throws -> Party? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT \(partyColumns) FROM parties p WHERE p.id = ? AND p.deleted_at IS NULL"), arguments: [id]).map(party)
    }

    public func party(_ id: String, consultation: String) async throws -> Party? {
        try await pool.read { db in
            guard let party = try Self.liveParty(db, id), party.consultationId == consultation else { return nil }
            return party
        }
    }

    public func parties(consultation: String, _ page: PageRequest) async throws -> Page<Party> {
        try await pool.read { db in
            let rows = try Row.fetchAll(db.cachedStatement(sql: """
                SELECT \(Self.partyColumns) FROM parties p
                WHERE p.consultation_id = ?3 AND p.deleted_at IS NULL AND p.seq > ?1 ORDER BY p.seq LIMIT ?2
                """), arguments: [page.after?.after ?? 0, page.limit + 1, consultation])
            return self.page(rows, limit: page.limit, map: Self.party)
        }
    }

    public func createParty(consultation id: String, name: String, kind: PartyKind, councilId: String?,
                            partnerTokenId: String?, actor: WriteActor) async throws -> Party {
        try Problem.check(Rules.text("name", name, max: 200) + NationalIdScreening.check([("name", name)]))
        return try await pool.write { db in
            guard let consultation = try Self.liveConsultation(db, id, counted: false) else { throw Problem.notFound("consultation", id) }
            guard consultation.draft.status == .draft || consultation.draft.status == .published else {
                throw Problem.conflict("consultation-final", "Parties cannot be invited to a \(consultation.draft.status.rawValue) consultation.")
            }
            var errors = try Self.referenceErrors(db, References(municipalityId: consultation.draft.municipalityId, councilId: councilId))
            if let partnerTokenId {
                let scope = try String.fetchOne(db.cachedStatement(sql: "SELECT scope FROM tokens WHERE id = ? AND revoked_at IS NULL"), arguments: [partnerTokenId])
                if scope != TokenScope.partner.rawValue {
                    errors.append(FieldError("partner_token_id", "no live partner token '\(partnerTokenId)'"))
                }
            }
            try Problem.check(errors)
            let now = self.clock.now()
            let record = PartyRecord(id: Identifiers.make("pty"), consultationId: id, name: name, kind: kind, councilId: councilId,
                                     partnerTokenId: partnerTokenId, invitedAt: now)
            try record.insert(db)
            try Self.recordWrite(db, actor: actor, municipality: consultation.draft.municipalityId, [.created(.party, record.id)], now: now)
            return try Self.liveParty(db, record.id)!
        }
    }

    public func deleteParty(_ partyId: String, consultation id: String, actor: WriteActor) async throws {
        try await pool.write { db in
            guard let consultation = try Self.liveConsultation(db, id, counted: false) else { throw Problem.notFound("consultation", id) }
            guard let party = try Self.liveParty(db, partyId), party.consultationId == id,
                  var record = try PartyRecord.live(db, partyId) else { throw Problem.notFound("party", partyId) }
            if party.responded {
                throw Problem.conflict("party-has-responded", "Party '\(partyId)' has responded and stays on the record.")
            }
            let now = self.clock.now()
            record.deletedAt = now
            try record.update(db)
            try Self.recordWrite(db, actor: actor, municipality: consultation.draft.municipalityId, [.deleted(.party, partyId)], now: now)
        }
    }
}
