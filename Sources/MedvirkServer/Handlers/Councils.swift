import MedvirkAPI
import MedvirkCore

extension APIHandlers {
    static func api(_ c: Council) -> Components.Schemas.Council {
        let d = c.draft
        return .init(
            id: c.id, municipalityId: d.municipalityId, serviceAreaId: d.serviceAreaId, name: d.name, kind: convert(d.kind),
            unit: d.unit, description: d.description,
            legalBasis: .init(kind: convert(d.legalBasis.kind), reference: d.legalBasis.reference),
            authority: convert(d.authority), hearingRights: d.hearingRights, minMeetingsPerYear: d.minMeetingsPerYear,
            termYears: d.termYears, seats: d.seats.map(api), contactEmail: d.contactEmail, website: d.website,
            status: convert(d.status), establishedOn: d.establishedOn?.text, dissolvedOn: d.dissolvedOn?.text,
            createdAt: c.createdAt, updatedAt: c.updatedAt)
    }

    static func api(_ s: Seat) -> Components.Schemas.Seat {
        .init(group: convert(s.group), count: s.count, nominatedBy: s.nominatedBy, voting: s.voting)
    }

    /// The writable form of a stored council, which a merge patch is applied to.
    static func writable(_ c: Council) -> Components.Schemas.CouncilCreate {
        let d = c.draft
        return .init(
            municipalityId: d.municipalityId, serviceAreaId: d.serviceAreaId, name: d.name, kind: convert(d.kind), unit: d.unit,
            description: d.description, legalBasis: .init(kind: convert(d.legalBasis.kind), reference: d.legalBasis.reference),
            authority: convert(d.authority), hearingRights: d.hearingRights, minMeetingsPerYear: d.minMeetingsPerYear,
            termYears: d.termYears, seats: d.seats.map(api), contactEmail: d.contactEmail, website: d.website,
            status: convert(d.status), establishedOn: d.establishedOn?.text, dissolvedOn: d.dissolvedOn?.text)
    }

    static func draft(_ b: Components.Schemas.CouncilCreate) throws -> CouncilDraft {
        CouncilDraft(
            municipalityId: b.municipalityId, serviceAreaId: b.serviceAreaId, name: b.name, kind: convert(b.kind), unit: b.unit,
            description: b.description,
            legalBasis: b.legalBasis.map { LegalBasis(kind: convert($0.kind), reference: $0.reference) } ?? LegalBasis(kind: .voluntary, reference: nil),
            authority: b.authority.map(convert) ?? .advisory, hearingRights: b.hearingRights ?? [],
            minMeetingsPerYear: b.minMeetingsPerYear, termYears: b.termYears,
            seats: (b.seats ?? []).map { Seat(group: convert($0.group), count: $0.count, nominatedBy: $0.nominatedBy, voting: $0.voting ?? true) },
            contactEmail: b.contactEmail, website: b.website, status: b.status.map(convert) ?? .active,
            establishedOn: try date("established_on", b.establishedOn), dissolvedOn: try date("dissolved_on", b.dissolvedOn))
    }

    func listCouncils(_ input: Operations.ListCouncils.Input) async throws -> Operations.ListCouncils.Output {
        let q = input.query
        let request = try pageRequest(limit: q.limit, cursor: q.cursor)
        try checkParameter("municipality", q.municipality, max: 63)
        try checkParameter("service_area", q.serviceArea, max: 64)
        try checkParameter("q", q.q, max: 200)
        let filter = CouncilFilter(municipality: q.municipality, kind: q.kind.map(convert), serviceArea: q.serviceArea,
                                   status: q.status.map(convert), query: q.q)
        let page = try await store.councils(filter, request)
        return .ok(.init(body: .json(.init(data: page.items.map(Self.api), nextCursor: listed(page)))))
    }

    func createCouncil(_ input: Operations.CreateCouncil.Input) async throws -> Operations.CreateCouncil.Output {
        guard case .json(let body) = input.body else { throw Problem.badRequest("Expected a JSON body.") }
        try principal.requireAdmin(body.municipalityId)
        let created = try await store.createCouncil(Self.draft(body), actor: actor)
        self.created("/v1/councils/\(created.id)")
        return .created(.init(body: .json(Self.api(created))))
    }

    func getCouncil(_ input: Operations.GetCouncil.Input) async throws -> Operations.GetCouncil.Output {
        let id = input.path.councilId
        guard let found = try await store.council(id) else { throw Problem.notFound("council", id) }
        return .ok(.init(body: .json(Self.api(found))))
    }

    func updateCouncil(_ input: Operations.UpdateCouncil.Input) async throws -> Operations.UpdateCouncil.Output {
        let id = input.path.councilId
        guard let current = try await store.council(id) else { throw Problem.notFound("council", id) }
        try principal.requireAdmin(current.draft.municipalityId)
        let draft = try Self.draft(try MergePatch.apply(to: Self.writable(current)))
        try draft.validate()
        try checkPrecondition()
        let updated = try await store.updateCouncil(id, draft, actor: actor)
        return .ok(.init(body: .json(Self.api(updated))))
    }

    func deleteCouncil(_ input: Operations.DeleteCouncil.Input) async throws -> Operations.DeleteCouncil.Output {
        let id = input.path.councilId
        guard let current = try await store.council(id) else { throw Problem.notFound("council", id) }
        try principal.requireAdmin(current.draft.municipalityId)
        try checkPrecondition()
        try await store.deleteCouncil(id, actor: actor)
        return .noContent(.init())
    }
}
