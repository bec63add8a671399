import MedvirkAPI
import MedvirkCore

extension APIHandlers {
    /// Anonymous callers see a closed item (individual cases, personnel matters) only as its position.
    static func api(_ item: AgendaItem, showClosed: Bool) throws -> Components.Schemas.AgendaItem {
        let d = item.draft
        guard d.isPublic || showClosed else {
            return .init(id: item.id, meetingId: item.meetingId, position: item.position, title: "Closed item", _public: false)
        }
        return .init(id: item.id, meetingId: item.meetingId, position: item.position, title: d.title, description: d.description,
                     kind: try convert(d.kind), _public: d.isPublic, documents: try Self.api(d.documents),
                     consultationId: d.consultationId)
    }

    /// The items as the caller may see them, linking a consultation only when the caller may read that too.
    func agendaItems(_ items: [AgendaItem], showClosed: Bool) async throws -> [Components.Schemas.AgendaItem] {
        let consultations = try await shown(.consultation, items.map(\.draft.consultationId))
        return try zip(items, consultations).map { item, consultation in
            var shownItem = try Self.api(item, showClosed: showClosed)
            if shownItem.consultationId != nil { shownItem.consultationId = consultation }
            return shownItem
        }
    }

    func api(_ item: AgendaItem, showClosed: Bool) async throws -> Components.Schemas.AgendaItem {
        try await agendaItems([item], showClosed: showClosed)[0]
    }

    static func writable(_ item: AgendaItem) throws -> Components.Schemas.AgendaItemCreate {
        let d = item.draft
        return .init(position: item.position, title: d.title, description: d.description, kind: try convert(d.kind), _public: d.isPublic,
                     documents: try Self.writable(d.documents), consultationId: d.consultationId)
    }

    static func draft(_ b: Components.Schemas.AgendaItemCreate) throws -> AgendaItemDraft {
        AgendaItemDraft(position: b.position, title: b.title, description: b.description, kind: try convert(b.kind), isPublic: b._public ?? true,
                        documents: try Self.documents(b.documents),
                        consultationId: b.consultationId)
    }

    func listAgendaItems(_ input: Operations.ListAgendaItems.Input) async throws -> Operations.ListAgendaItems.Output {
        let request = try pageRequest(limit: input.query.limit, cursor: input.query.cursor)
        let meeting = try await visibleMeeting(input.path.meetingId)
        let page = try await store.agenda(meeting: meeting.id, request)
        let admin = principal.canAdminister(meeting.draft.municipalityId)
        let next = nextPage(page)
        return .ok(.init(headers: .init(link: next.link), body: .json(.init(data: try await agendaItems(page.items, showClosed: admin), nextCursor: next.cursor))))
    }

    func getAgendaItem(_ input: Operations.GetAgendaItem.Input) async throws -> Operations.GetAgendaItem.Output {
        let meeting = try await visibleMeeting(input.path.meetingId)
        guard let item = try await store.agendaItem(input.path.itemId, meeting: meeting.id) else {
            throw Problem.notFound("agenda item", input.path.itemId)
        }
        return .ok(.init(body: .json(try await api(item, showClosed: principal.canAdminister(meeting.draft.municipalityId)))))
    }

    func createAgendaItem(_ input: Operations.CreateAgendaItem.Input) async throws -> Operations.CreateAgendaItem.Output {
        guard case .json(let body) = input.body else { throw Problem.badRequest("Expected a JSON body.") }
        let meeting = try await visibleMeeting(input.path.meetingId)
        try principal.requireAdmin(meeting.draft.municipalityId)
        let item = try await store.createAgendaItem(meeting: meeting.id, Self.draft(body), actor: try writeActor())
        return .created(.init(headers: .init(location: "/v1/meetings/\(meeting.id)/agenda-items/\(item.id)"), body: .json(try await api(item, showClosed: true))))
    }

    func updateAgendaItem(_ input: Operations.UpdateAgendaItem.Input) async throws -> Operations.UpdateAgendaItem.Output {
        let meeting = try await visibleMeeting(input.path.meetingId)
        try principal.requireAdmin(meeting.draft.municipalityId)
        guard let current = try await store.agendaItem(input.path.itemId, meeting: meeting.id) else {
            throw Problem.notFound("agenda item", input.path.itemId)
        }
        let draft = try Self.draft(try MergePatch.apply(to: Self.writable(current)))
        try draft.validate()
        let actor = try writeActor()
        let item = try await store.updateAgendaItem(current.id, meeting: meeting.id, draft, actor: actor)
        return .ok(.init(body: .json(try await api(item, showClosed: true))))
    }

    func deleteAgendaItem(_ input: Operations.DeleteAgendaItem.Input) async throws -> Operations.DeleteAgendaItem.Output {
        let meeting = try await visibleMeeting(input.path.meetingId)
        try principal.requireAdmin(meeting.draft.municipalityId)
        guard try await store.agendaItem(input.path.itemId, meeting: meeting.id) != nil else {
            throw Problem.notFound("agenda item", input.path.itemId)
        }
        let actor = try writeActor()
        try await store.deleteAgendaItem(input.path.itemId, meeting: meeting.id, actor: actor)
        return .noContent(.init())
    }
}
