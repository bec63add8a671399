import MedvirkAPI
import MedvirkCore

extension APIHandlers {
    static func api(_ t: Theme) -> Components.Schemas.Theme {
        .init(id: t.id, consultationId: t.consultationId, title: t.title, description: t.description, position: t.position,
              createdAt: t.createdAt, updatedAt: t.updatedAt)
    }

    /// A consultation whose themes the caller administers: 404 when it may not read it, 403 when it may but is no admin of it.
    func administeredConsultation(_ id: String) async throws -> Consultation {
        let consultation = try await visibleConsultation(id)
        try principal.requireAdmin(consultation.draft.municipalityId)
        return consultation
    }

    /// A theme the caller administers: 404 for anyone who may not read its consultation, 401/403 for those who
    /// may read it but not administer it (as for the consultation's themes list).
    func administeredTheme(_ id: String) async throws -> Theme {
        guard let found = try await store.theme(id),
              try await store.consultation(found.theme.consultationId, readableBy: reader) != nil
        else { throw Problem.notFound("theme", id) }
        try principal.requireAdmin(found.municipalityId)
        return found.theme
    }

    func listThemes(_ input: Operations.ListThemes.Input) async throws -> Operations.ListThemes.Output {
        let request = try pageRequest(limit: input.query.limit, cursor: input.query.cursor)
        let consultation = try await administeredConsultation(input.path.consultationId)
        let page = try await store.themes(consultation: consultation.id, request)
        let next = nextPage(page)
        return .ok(.init(headers: .init(link: next.link), body: .json(.init(data: page.items.map(Self.api), nextCursor: next.cursor))))
    }

    func createTheme(_ input: Operations.CreateTheme.Input) async throws -> Operations.CreateTheme.Output {
        guard case .json(let body) = input.body else { throw Problem.badRequest("Expected a JSON body.") }
        let consultation = try await administeredConsultation(input.path.consultationId)
        let theme = try await store.createTheme(consultation: consultation.id, ThemeDraft(title: body.title, description: body.description,
                                                                                           position: body.position), actor: try writeActor())
        return .created(.init(headers: .init(location: "/v1/themes/\(theme.id)"), body: .json(Self.api(theme))))
    }

    func getTheme(_ input: Operations.GetTheme.Input) async throws -> Operations.GetTheme.Output {
        .ok(.init(body: .json(Self.api(try await administeredTheme(input.path.themeId)))))
    }

    func updateTheme(_ input: Operations.UpdateTheme.Input) async throws -> Operations.UpdateTheme.Output {
        let current = try await administeredTheme(input.path.themeId)
        let merged = try MergePatch.apply(to: Components.Schemas.ThemeCreate(title: current.title, description: current.description,
                                                                            position: current.position))
        let draft = ThemeDraft(title: merged.title, description: merged.description, position: merged.position)
        try draft.validate()
        let actor = try writeActor()
        return .ok(.init(body: .json(Self.api(try await store.updateTheme(current.id, draft, actor: actor)))))
    }

    func deleteTheme(_ input: Operations.DeleteTheme.Input) async throws -> Operations.DeleteTheme.Output {
        let current = try await administeredTheme(input.path.themeId)
        let actor = try writeActor()
        try await store.deleteTheme(current.id, actor: actor)
        return .noContent(.init())
    }
}
