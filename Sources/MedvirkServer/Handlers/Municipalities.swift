import MedvirkAPI
import MedvirkCore

extension APIHandlers {
    static func api(_ m: Municipality) throws -> Components.Schemas.Municipality {
        .init(id: m.id, name: m.name, country: try convert(m.country), language: try convert(m.language), timeZone: m.timeZone,
              receiptPrefix: m.receiptPrefix, website: m.website, minHearingDays: m.minHearingDays,
              personalDataRetentionDays: m.retentionDays, createdAt: m.createdAt, updatedAt: m.updatedAt)
    }

    static func draft(_ body: Components.Schemas.MunicipalityCreate) throws -> MunicipalityDraft {
        MunicipalityDraft(id: body.id, name: body.name, country: try convert(body.country), language: try body.language.map(convert),
                          timeZone: body.timeZone, receiptPrefix: body.receiptPrefix, website: body.website,
                          minHearingDays: body.minHearingDays, retentionDays: body.personalDataRetentionDays)
    }

    func listMunicipalities(_ input: Operations.ListMunicipalities.Input) async throws -> Operations.ListMunicipalities.Output {
        let page = try await store.municipalities(pageRequest(limit: input.query.limit, cursor: input.query.cursor))
        let next = nextPage(page)
        return .ok(.init(headers: .init(link: next.link), body: .json(.init(data: try page.items.map(Self.api), nextCursor: next.cursor))))
    }

    func createMunicipality(_ input: Operations.CreateMunicipality.Input) async throws -> Operations.CreateMunicipality.Output {
        try principal.requireAdmin(nil)
        guard case .json(let body) = input.body else { throw Problem.badRequest("Expected a JSON body.") }
        let created = try await store.createMunicipality(Self.draft(body), actor: try writeActor())
        return .created(.init(headers: .init(location: "/v1/municipalities/\(created.id)"), body: .json(try Self.api(created))))
    }

    func getMunicipality(_ input: Operations.GetMunicipality.Input) async throws -> Operations.GetMunicipality.Output {
        let id = input.path.municipalityId
        guard let found = try await store.municipality(id) else { throw Problem.notFound("municipality", id) }
        return .ok(.init(body: .json(try Self.api(found))))
    }

    func updateMunicipality(_ input: Operations.UpdateMunicipality.Input) async throws -> Operations.UpdateMunicipality.Output {
        let id = input.path.municipalityId
        try principal.requireAdmin(id)
        guard let current = try await store.municipality(id) else { throw Problem.notFound("municipality", id) }
        // The language is left out unless the patch names it, so a change of country can bring its default.
        let writable = Components.Schemas.MunicipalityCreate(
            id: current.id, name: current.name, country: try convert(current.country), timeZone: current.timeZone,
            receiptPrefix: current.receiptPrefix, website: current.website, minHearingDays: current.minHearingDaysSetting,
            personalDataRetentionDays: current.retentionDaysSetting)
        let draft = try Self.draft(try MergePatch.apply(to: writable))
        try draft.validate()
        let actor = try writeActor()
        let updated = try await store.updateMunicipality(draft, actor: actor)
        return .ok(.init(body: .json(try Self.api(updated))))
    }

    func deleteMunicipality(_ input: Operations.DeleteMunicipality.Input) async throws -> Operations.DeleteMunicipality.Output {
        let id = input.path.municipalityId
        try principal.requireAdmin(id)
        let actor = try writeActor()
        try await store.deleteMunicipality(id, actor: actor)
        return .noContent(.init())
    }
}
