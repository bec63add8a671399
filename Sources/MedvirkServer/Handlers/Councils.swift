import MedvirkAPI
import MedvirkCore

extension APIHandlers {
    static func api(_ c: Council) throws -> Components.Schemas.Council {
        let d = c.draft
        return .init(
            id: c.id, municipalityId: d.municipalityId, serviceAreaId: d.serviceAreaId, name: d.name, kind: try convert(d.kind),
            unit: d.unit, description: d.description,
            legalBasis: .init(kind: try convert(d.legalBasis.kind), reference: d.legalBasis.reference),
            authority: try convert(d.authority), hearingRights: d.hearingRights, minMeetingsPerYear: d.minMeetingsPerYear,
            termYears: d.termYears, seats: try d.seats.map(api), contactEmail: d.contactEmail, website: d.website,
            status: try convert(d.status), establishedOn: d.establishedOn?.text, dissolvedOn: d.dissolvedOn?.text,
            createdAt: c.createdAt, updatedAt: c.updatedAt)
    }

    static func api(_ s: Seat) throws -> Components.Schemas.Seat {
        .init(group: try convert(s.group), count: s.count, nominatedBy: s.nominatedBy, voting: s.voting)
    }

    /// The writable form of a stored council, which a merge patch is applied to.
    static func writable(_ c: Council) throws -> Components.Schemas.CouncilCreate {
        let d = c.draft
        return .init(
            municipalityId: d.municipalityId, serviceAreaId: d.serviceAreaId, name: d.name, kind: try convert(d.kind), unit: d.unit,
            description: d.description, legalBasis: .init(kind: try convert(d.legalBasis.kind), reference: d.legalBasis.reference),
            authority: try convert(d.authority), hearingRights: d.hearingRights, minMeetingsPerYear: d.minMeetingsPerYear,
            termYears: d.termYears, seats: try d.seats.map(api), contactEmail: d.contactEmail, website: d.website,
            status: try convert(d.status), establishedOn: d.establishedOn?.text, dissolvedOn: d.dissolvedOn?.text)
    }

    static func draft(_ b: Components.Schemas.CouncilCreate) throws -> CouncilDraft {
        CouncilDraft(
            municipalityId: b.municipalityId, serviceAreaId: b.serviceAreaId, name: b.name, kind: try convert(b.kind), unit: b.unit,
            description: b.description,
            legalBasis: try b.legalBasis.map { LegalBasis(kind: try convert($0.kind), reference: $0.reference) } ?? LegalBasis(kind: .voluntary, reference: nil),
            authority: try b.authority.map(convert) ?? .advisory, hearingRights: b.hearingRights ?? [],
            minMeetingsPerYear: b.minMeetingsPerYear, termYears: b.termYears,
            seats: try (b.seats ?? []).map { Seat(group: try convert($0.group), count: $0.count, nominatedBy: $0.nominatedBy, voting: $0.voting ?? true) },
            contactEmail: b.contactEmail, website: b.website, status: try b.status.map(convert) ?? .active,
            establishedOn: try date("established_on", b.establishedOn), dissolvedOn: try date("dissolved_on", b.dissolvedOn))
    }

    func listCouncils(_ input: Operations.ListCouncils.Input) async throws -> Operations.ListCouncils.Output {
        let q = input.query
        let request = try pageRequest(limit: q.limit, cursor: q.cursor)
        try checkParameter("municipality", q.municipality, max: 63)
        try checkParameter("service_area", q.serviceArea, max: 64)
        try checkParameter("q", q.q, max: 200)
        let filter = CouncilFilter(municipality: q.municipality, kind: try q.kind.map(convert), serviceArea: q.serviceArea,
                                   status: try q.status.map(convert), query: q.q)
        let page = try await store.councils(filter, request)
        let next = nextPage(page)
        return .ok(.init(headers: .init(link: next.link), body: .json(.init(data: try page.items.map(Self.api), nextCursor: next.cursor))))
    }

    func createCouncil(_ input: Operations.CreateCouncil.Input) async throws -> Operations.CreateCouncil.Output {
        guard case .json(let body) = input.body else { throw Problem.badRequest("Expected a JSON body.") }
        try principal.requireAdmin(body.municipalityId)
        let created = try await store.createCouncil(Self.draft(body), actor: try writeActor())
        return .created(.init(headers: .init(location: "/v1/councils/\(created.id)"), body: .json(try Self.api(created))))
    }

    func getCouncil(_ input: Operations.GetCouncil.Input) async throws -> Operations.GetCouncil.Output {
        let id = input.path.councilId
        guard let found = try await store.council(id) else { throw Problem.notFound("council", id) }
        return .ok(.init(body: .json(try Self.api(found))))
    }

    func updateCouncil(_ input: Operations.UpdateCouncil.Input) async throws -> Operations.UpdateCouncil.Output {
        let id = input.path.councilId
        guard let current = try await store.council(id) else { throw Problem.notFound("council", id) }
        try principal.requireAdmin(current.draft.municipalityId)
        let draft = try Self.draft(try MergePatch.apply(to: Self.writable(current)))
        try draft.validate()
        let actor = try writeActor()
        let updated = try await store.updateCouncil(id, draft, actor: actor)
        return .ok(.init(body: .json(try Self.api(updated))))
    }

    func deleteCouncil(_ input: Operations.DeleteCouncil.Input) async throws -> Operations.DeleteCouncil.Output {
        let id = input.path.councilId
        guard let current = try await store.council(id) else { throw Problem.notFound("council", id) }
        try principal.requireAdmin(current.draft.municipalityId)
        let actor = try writeActor()
        try await store.deleteCouncil(id, actor: actor)
        return .noContent(.init())
    }
}
