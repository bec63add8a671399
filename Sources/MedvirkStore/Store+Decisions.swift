import Foundation
import GRDB
import MedvirkCore

extension Store {
    static let decisionColumns = "d.*, (SELECT receipt_number FROM responses r WHERE r.id = d.response_id) AS receipt_number, i.consultation_id AS item_consultation_id"
    static let decisionJoin = "decisions d JOIN agenda_items i ON i.id = d.agenda_item_id"

    /// A row of `decisionColumns`: the decision's own columns, then the joined ones.
    static func decision(_ row: Row) throws -> Decision {
        try DecisionRecord(row: row).decision(consultationId: row["item_consultation_id"], responseReceipt: row["receipt_number"])
    }

    static func fetchDecision(_ db: Database, _ id: String) throws -> Decision? {
        try Row.fetchOne(db, sql: "SELECT \(decisionColumns) FROM \(decisionJoin) WHERE d.id = ?", arguments: [id]).map(decision)
    }

    public func decision(_ id: String) async throws -> Decision? {
        try await pool.read { db in try Self.fetchDecision(db, id) }
    }

    /// A council's decisions that `reader` may read, oldest first.
    public func decisions(council: String, followUp: FollowUpStatus?, reader: Reader, _ page: PageRequest) async throws -> Page<Decision> {
        let now = Timestamps.format(clock.now())
        return try await pool.read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT \(Self.decisionColumns) FROM \(Self.decisionJoin)
                WHERE d.council_id = ?3 AND d.seq > ?1 AND (?4 IS NULL OR d.follow_up_status = ?4)
                  AND \(Readable.condition(.decision, "d", reader: "?5", now: "?6"))
                ORDER BY d.seq LIMIT ?2
                """, arguments: [page.after?.after ?? 0, page.limit + 1, council, followUp?.rawValue, reader.argument, now])
            return try self.page(rows, limit: page.limit, map: Self.decision)
        }
    }

    /// How many votes the present members hold. A personal deputy (personlig stedfortræder/vara) votes in the
    /// place of the member they stand in for when that member is absent and votes; a member and their deputy
    /// are never both counted.
    static func votingPresent(_ members: [Member], present: Set<String>) -> Int {
        let byId = Dictionary(uniqueKeysWithValues: members.map { ($0.id, $0) })
        // Each voting seat counts once: its member when present, else one of its deputies (however many came).
        var seats = Set<String>()
        for member in members where present.contains(member.id) {
            if let principalId = member.draft.deputyOf {
                if let principal = byId[principalId], principal.draft.voting, !present.contains(principal.id) { seats.insert(principal.id) }
            } else if member.draft.voting {
                seats.insert(member.id)
            }
        }
        return seats.count
    }

    /// The vote total cannot exceed the votes of the members the minutes list as present.
    public func createDecision(meeting meetingId: String, item itemId: String, text: String, votes: Votes, actor: WriteActor) async throws -> Decision {
        try Problem.check(Rules.text("text", text, max: 20_000))
        return try await pool.write { db in
            guard let meeting = try Self.liveMeeting(db, meetingId) else { throw Problem.notFound("meeting", meetingId) }
            guard let item = try Self.liveAgendaItem(db, itemId, meeting: meetingId) else { throw Problem.notFound("agenda item", itemId) }
            // A decision on a public item is published with its meeting (now, or when the meeting is made public).
            if item.draft.isPublic { try Problem.check(NationalIdScreening.check([("text", text)])) }
            guard let councilId = meeting.draft.councilId else {
                throw Problem.conflict("not-a-council-meeting", "Advisory decisions are recorded on a council's meetings.")
            }
            let present = try Self.fetchMinutes(db, meetingId)?.present ?? []
            let voting = Self.votingPresent(try Self.liveMembers(db, council: councilId), present: Set(present))
            if votes.total > voting {
                throw Problem.validation([FieldError("votes", "\(votes.total) votes but \(voting) voting member(s) present according to the minutes")])
            }
            let now = self.clock.now()
            let record = DecisionRecord(id: Identifiers.make("dec"), meetingId: meetingId, agendaItemId: itemId, councilId: councilId,
                                        text: text, votes: votes, at: now)
            try record.insert(db)
            try Self.recordWrite(db, actor: actor, municipality: meeting.draft.municipalityId, [.created(.decision, record.id)], now: now)
            return try Self.fetchDecision(db, record.id)!
        }
    }

    public func updateFollowUp(_ id: String, _ followUp: FollowUp, actor: WriteActor) async throws -> Decision {
        try followUp.validate()
        let now = clock.now()
        return try await pool.write { db in
            guard var record = try DecisionRecord.find(db, id),
                  let municipality = try String.fetchOne(db, sql: "SELECT municipality_id FROM councils c JOIN decisions d ON d.council_id = c.id WHERE d.id = ?", arguments: [id])
            else { throw Problem.notFound("decision", id) }
            // Feedback on a decision of a public item is published with it (see `createDecision`).
            if try Bool.fetchOne(db, sql: "SELECT i.public FROM decisions d JOIN agenda_items i ON i.id = d.agenda_item_id WHERE d.id = ?",
                                 arguments: [id]) == true {
                try Problem.check(NationalIdScreening.check([("feedback", followUp.feedback)]))
            }
            (record.followUpStatus, record.feedback, record.respondedAt) = (followUp.status, followUp.feedback, followUp.respondedAt?.text)
            record.updatedAt = now
            try record.update(db)
            try Self.recordWrite(db, actor: actor, municipality: municipality, [Change.updated(.decision, id).named("decision.follow_up_changed")], now: now)
            return try Self.fetchDecision(db, id)!
        }
    }

    /// Files a decision as its council's hearing response to the consultation its agenda item discusses, once.
    public func fileDecisionAsResponse(_ id: String, token: TokenInfo, actor: WriteActor) async throws -> HearingResponse {
        let now = clock.now()
        return try await pool.write { db in
            guard let decision = try Self.fetchDecision(db, id), let council = try Self.liveCouncil(db, decision.councilId) else {
                throw Problem.notFound("decision", id)
            }
            if decision.responseReceipt != nil {
                throw Problem.conflict("already-submitted", "This decision was already filed as response \(decision.responseReceipt!).")
            }
            guard let consultationId = decision.consultationId, let consultation = try Self.liveConsultation(db, consultationId) else {
                throw Problem.conflict("no-consultation", "The decision's agenda item is not linked to a consultation.")
            }
            guard let party = try Row.fetchOne(db, sql: """
                SELECT \(Self.partyColumns) FROM parties p WHERE p.consultation_id = ? AND p.council_id = ? AND p.deleted_at IS NULL
                """, arguments: [consultationId, council.id]).map(Self.party) else {
                throw Problem.conflict("council-not-a-party", "\(council.draft.name) is not a hearing-entitled party of this consultation.")
            }
            let submission = Submission(
                respondent: Respondent(kind: .council, name: council.draft.name, organisation: council.draft.name, email: nil,
                                       address: nil, onBehalfOf: nil, publishName: true),
                text: decision.text, partyId: party.id)
            let late = try SubmissionRules.check(consultation, token: token, tokenParties: [party], party: party,
                                                 partyId: party.id, now: now)
            let response = try Self.insertResponse(db, consultation: consultation, submission,
                                                   digest: submission.sha256(consultationId: consultation.id), token: token,
                                                   idempotencyKey: "decision:\(id)", late: late, now: now, actor: actor)
            guard var record = try DecisionRecord.find(db, id) else { throw Problem.notFound("decision", id) }
            (record.responseId, record.updatedAt) = (response.id, now)
            try record.update(db)
            try Self.recordChanges(db, municipality: consultation.draft.municipalityId, [.updated(.decision, id)], now: now)
            return response
        }
    }
}
