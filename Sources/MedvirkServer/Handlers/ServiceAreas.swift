import MedvirkAPI
import MedvirkCore

extension APIHandlers {
    static func api(_ a: ServiceArea) -> Components.Schemas.ServiceArea {
        .init(id: a.id, municipalityId: a.municipalityId, name: a.name, description: a.description,
              createdAt: a.createdAt, updatedAt: a.updatedAt)
    }

    func listServiceAreas(_ input: Operations.ListServiceAreas.Input) async throws -> Operations.ListServiceAreas.Output {
        let request = try pageRequest(limit: input.query.limit, cursor: input.query.cursor)
        try checkParameter("municipality", input.query.municipality, max: 63)
        let page = try await store.serviceAreas(municipality: input.query.municipality, request)
        let next = nextPage(page)
        return .ok(.init(headers: .init(link: next.link), body: .json(.init(data: page.items.map(Self.api), nextCursor: next.cursor))))
    }

    func createServiceArea(_ input: Operations.CreateServiceArea.Input) async throws -> Operations.CreateServiceArea.Output {
        guard case .json(let body) = input.body else { throw Problem.badRequest("Expected a JSON body.") }
        try principal.requireAdmin(body.municipalityId)
        let draft = ServiceAreaDraft(municipalityId: body.municipalityId, name: body.name, description: body.description)
        let created = try await store.createServiceArea(draft, actor: try writeActor())
        return .created(.init(headers: .init(location: "/v1/service-areas/\(created.id)"), body: .json(Self.api(created))))
    }

    func getServiceArea(_ input: Operations.GetServiceArea.Input) async throws -> Operations.GetServiceArea.Output {
        let id = input.path.serviceAreaId
        guard let found = try await store.serviceArea(id) else { throw Problem.notFound("service area", id) }
        return .ok(.init(body: .json(Self.api(found))))
    }

    func updateServiceArea(_ input: Operations.UpdateServiceArea.Input) async throws -> Operations.UpdateServiceArea.Output {
        let id = input.path.serviceAreaId
        guard let current = try await store.serviceArea(id) else { throw Problem.notFound("service area", id) }
        try principal.requireAdmin(current.municipalityId)
        let merged = try MergePatch.apply(to: Components.Schemas.ServiceAreaPatch(name: current.name, description: current.description))
        guard let name = merged.name else { throw Problem.validation([FieldError("name", "is required and cannot be removed")]) }
        let draft = ServiceAreaDraft(municipalityId: current.municipalityId, name: name, description: merged.description)
        try draft.validate()
        let actor = try writeActor()
        return .ok(.init(body: .json(Self.api(try await store.updateServiceArea(id, draft, actor: actor)))))
    }

    func deleteServiceArea(_ input: Operations.DeleteServiceArea.Input) async throws -> Operations.DeleteServiceArea.Output {
        let id = input.path.serviceAreaId
        guard let current = try await store.serviceArea(id) else { throw Problem.notFound("service area", id) }
        try principal.requireAdmin(current.municipalityId)
        let actor = try writeActor()
        try await store.deleteServiceArea(id, actor: actor)
        return .noContent(.init())
    }
}
