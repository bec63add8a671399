import Foundation
import MedvirkAPI
import MedvirkCore

extension APIHandlers {
    static func api(_ d: Decision) throws -> Components.Schemas.Decision {
        .init(id: d.id, meetingId: d.meetingId, agendaItemId: d.agendaItemId, councilId: d.councilId, text: d.text,
              votes: .init(_for: d.votes.inFavour, against: d.votes.against, abstain: d.votes.abstain), followUp: try api(d.followUp, d.id),
              consultationId: d.consultationId, responseReceiptNumber: d.responseReceipt, createdAt: d.createdAt, updatedAt: d.updatedAt)
    }

    static func api(_ f: FollowUp, _ decisionId: String) throws -> Components.Schemas.FollowUp {
        .init(decisionId: decisionId, status: try convert(f.status), feedback: f.feedback, respondedAt: f.respondedAt?.text)
    }

    /// Decisions are as public as the agenda item and the meeting they were made at (see `Readable`).
    func visibleDecision(_ id: String) async throws -> Decision {
        guard let decision = try await store.decision(id, readableBy: reader) else { throw Problem.notFound("decision", id) }
        return decision
    }

    /// The contract's decisions as the caller may see them: the consultation only when it may read that too,
    /// and the receipt of the council's own hearing response (which names a response the caller may not be
    /// able to read) only for administrators. `municipality` owns them all.
    func api(_ list: [Decision], municipality: String) async throws -> [Components.Schemas.Decision] {
        let consultations = try await shown(.consultation, list.map(\.consultationId))
        return try zip(list, consultations).map { d, consultation in
            var decision = try Self.api(d)
            decision.consultationId = consultation
            if !reader.administers(municipality) { decision.responseReceiptNumber = nil }
            return decision
        }
    }

    func api(_ d: Decision) async throws -> Components.Schemas.Decision {
        let municipality = try await store.council(d.councilId)?.draft.municipalityId ?? ""
        return try await api([d], municipality: municipality)[0]
    }

    func createDecision(_ input: Operations.CreateDecision.Input) async throws -> Operations.CreateDecision.Output {
        guard case .json(let body) = input.body else { throw Problem.badRequest("Expected a JSON body.") }
        let meeting = try await visibleMeeting(input.path.meetingId)
        try principal.requireAdmin(meeting.draft.municipalityId)
        let votes = Votes(inFavour: body.votes._for, against: body.votes.against, abstain: body.votes.abstain)
        try Problem.check(Rules.range("votes.for", votes.inFavour, 0...200) + Rules.range("votes.against", votes.against, 0...200)
                          + Rules.range("votes.abstain", votes.abstain, 0...200))
        let decision = try await store.createDecision(meeting: meeting.id, item: input.path.itemId, text: body.text, votes: votes, actor: try writeActor())
        return .created(.init(headers: .init(location: "/v1/decisions/\(decision.id)"), body: .json(try Self.api(decision))))
    }

    func listCouncilDecisions(_ input: Operations.ListCouncilDecisions.Input) async throws -> Operations.ListCouncilDecisions.Output {
        let request = try pageRequest(limit: input.query.limit, cursor: input.query.cursor)
        let council = try await council(input.path.councilId)
        let page = try await store.decisions(council: council.id, followUp: input.query.followUp.map(convert),
                                             reader: reader, request)
        let next = nextPage(page)
        return .ok(.init(headers: .init(link: next.link), body: .json(.init(data: try await api(page.items, municipality: council.draft.municipalityId), nextCursor: next.cursor))))
    }

    func getDecision(_ input: Operations.GetDecision.Input) async throws -> Operations.GetDecision.Output {
        .ok(.init(body: .json(try await api(try await visibleDecision(input.path.decisionId)))))
    }

    func getFollowUp(_ input: Operations.GetFollowUp.Input) async throws -> Operations.GetFollowUp.Output {
        let decision = try await visibleDecision(input.path.decisionId)
        return .ok(.init(body: .json(try Self.api(decision.followUp, decision.id))))
    }

    func updateFollowUp(_ input: Operations.UpdateFollowUp.Input) async throws -> Operations.UpdateFollowUp.Output {
        let decision = try await visibleDecision(input.path.decisionId)
        guard let council = try await store.council(decision.councilId) else { throw Problem.notFound("decision", decision.id) }
        try principal.requireAdmin(council.draft.municipalityId)
        let current = Components.Schemas.FollowUpInput(status: try convert(decision.followUp.status), feedback: decision.followUp.feedback,
                                                       respondedAt: decision.followUp.respondedAt?.text)
        let merged = try MergePatch.apply(to: current)
        let followUp = FollowUp(status: try merged.status.map(convert) ?? .pending, feedback: merged.feedback,
                                respondedAt: try date("responded_at", merged.respondedAt))
        try followUp.validate()
        let actor = try writeActor()
        let updated = try await store.updateFollowUp(decision.id, followUp, actor: actor)
        return .ok(.init(body: .json(try Self.api(updated.followUp, updated.id))))
    }

    func submitDecisionAsResponse(_ input: Operations.SubmitDecisionAsResponse.Input) async throws -> Operations.SubmitDecisionAsResponse.Output {
        let decision = try await visibleDecision(input.path.decisionId)
        guard let council = try await store.council(decision.councilId) else { throw Problem.notFound("decision", decision.id) }
        try principal.requireAdmin(council.draft.municipalityId)
        guard case .token(let token) = principal else { throw Problem.unauthenticated }
        let response = try await store.fileDecisionAsResponse(decision.id, token: token, actor: try writeActor())
        return .created(.init(headers: .init(location: "/v1/receipts/\(response.receiptNumber)"), body: .json(try Self.api(response, .full))))
    }
}
