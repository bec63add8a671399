import MedvirkAPI
import MedvirkCore

extension APIHandlers {
    /// The public sees names, kinds and whether each party responded; admins see the links too.
    static func api(_ p: Party, showPrivate: Bool) throws -> Components.Schemas.Party {
        .init(id: p.id, consultationId: p.consultationId, name: p.name, kind: try convert(p.kind),
              councilId: showPrivate ? p.councilId : nil, partnerTokenId: showPrivate ? p.partnerTokenId : nil,
              invitedAt: showPrivate ? p.invitedAt : nil, responded: p.responded)
    }

    func listParties(_ input: Operations.ListParties.Input) async throws -> Operations.ListParties.Output {
        let request = try pageRequest(limit: input.query.limit, cursor: input.query.cursor)
        let consultation = try await visibleConsultation(input.path.consultationId)
        let page = try await store.parties(consultation: consultation.id, request)
        let showPrivate = principal.canAdminister(consultation.draft.municipalityId)
        let next = nextPage(page)
        return .ok(.init(headers: .init(link: next.link), body: .json(.init(data: try page.items.map { try Self.api($0, showPrivate: showPrivate) }, nextCursor: next.cursor))))
    }

    func getParty(_ input: Operations.GetParty.Input) async throws -> Operations.GetParty.Output {
        let consultation = try await visibleConsultation(input.path.consultationId)
        guard let party = try await store.party(input.path.partyId, consultation: consultation.id) else {
            throw Problem.notFound("party", input.path.partyId)
        }
        return .ok(.init(body: .json(try Self.api(party, showPrivate: principal.canAdminister(consultation.draft.municipalityId)))))
    }

    func createParty(_ input: Operations.CreateParty.Input) async throws -> Operations.CreateParty.Output {
        guard case .json(let body) = input.body else { throw Problem.badRequest("Expected a JSON body.") }
        let consultation = try await visibleConsultation(input.path.consultationId)
        try principal.requireAdmin(consultation.draft.municipalityId)
        let party = try await store.createParty(consultation: consultation.id, name: body.name, kind: convert(body.kind),
                                                councilId: body.councilId, partnerTokenId: body.partnerTokenId, actor: try writeActor())
        return .created(.init(headers: .init(location: "/v1/consultations/\(consultation.id)/parties/\(party.id)"), body: .json(try Self.api(party, showPrivate: true))))
    }

    func deleteParty(_ input: Operations.DeleteParty.Input) async throws -> Operations.DeleteParty.Output {
        let consultation = try await visibleConsultation(input.path.consultationId)
        try principal.requireAdmin(consultation.draft.municipalityId)
        guard try await store.party(input.path.partyId, consultation: consultation.id) != nil else {
            throw Problem.notFound("party", input.path.partyId)
        }
        let actor = try writeActor()
        try await store.deleteParty(input.path.partyId, consultation: consultation.id, actor: actor)
        return .noContent(.init())
    }
}
