import Foundation
import MedvirkAPI
import MedvirkCore
import OpenAPIRuntime

extension APIHandlers {
    static func api(_ c: DialogueChannel) throws -> Components.Schemas.DialogueChannel {
        let d = c.draft
        return .init(
            id: c.id, municipalityId: d.municipalityId, serviceAreaId: d.serviceAreaId, targetGroup: try convert(d.targetGroup),
            userCategory: try convert(d.userCategory), purpose: try convert(d.purpose), kind: try convert(d.kind), name: d.name,
            description: d.description, cadence: try d.cadence.map { .init(count: $0.count, per: try convert($0.per)) }, volume: d.volume,
            assessment: d.assessment, plannedChanges: d.plannedChanges, councilId: d.councilId, active: d.active,
            createdAt: c.createdAt, updatedAt: c.updatedAt)
    }

    static func writable(_ c: DialogueChannel) throws -> Components.Schemas.DialogueChannelCreate {
        let d = c.draft
        return .init(
            municipalityId: d.municipalityId, serviceAreaId: d.serviceAreaId, targetGroup: try convert(d.targetGroup),
            userCategory: try convert(d.userCategory), purpose: try convert(d.purpose), kind: try convert(d.kind), name: d.name,
            description: d.description, cadence: try d.cadence.map { .init(count: $0.count, per: try convert($0.per)) }, volume: d.volume,
            assessment: d.assessment, plannedChanges: d.plannedChanges, councilId: d.councilId, active: d.active)
    }

    static func draft(_ b: Components.Schemas.DialogueChannelCreate) throws -> DialogueChannelDraft {
        DialogueChannelDraft(
            municipalityId: b.municipalityId, serviceAreaId: b.serviceAreaId, targetGroup: try convert(b.targetGroup),
            userCategory: try convert(b.userCategory), purpose: try convert(b.purpose), kind: try convert(b.kind), name: b.name,
            description: b.description, cadence: try b.cadence.map { Cadence(count: $0.count, per: try convert($0.per)) }, volume: b.volume,
            assessment: b.assessment, plannedChanges: b.plannedChanges, councilId: b.councilId, active: b.active ?? true)
    }

    func listDialogueChannels(_ input: Operations.ListDialogueChannels.Input) async throws -> Operations.ListDialogueChannels.Output {
        let q = input.query
        let request = try pageRequest(limit: q.limit, cursor: q.cursor)
        try checkParameter("municipality", q.municipality, max: 63)
        try checkParameter("service_area", q.serviceArea, max: 64)
        let filter = ChannelFilter(municipality: q.municipality, serviceArea: q.serviceArea, targetGroup: try q.targetGroup.map(convert),
                                   userCategory: try q.userCategory.map(convert), purpose: try q.purpose.map(convert), kind: try q.kind.map(convert))
        let page = try await store.channels(filter, request)
        let next = nextPage(page)
        return .ok(.init(headers: .init(link: next.link), body: .json(.init(data: try page.items.map(Self.api), nextCursor: next.cursor))))
    }

    func createDialogueChannel(_ input: Operations.CreateDialogueChannel.Input) async throws -> Operations.CreateDialogueChannel.Output {
        guard case .json(let body) = input.body else { throw Problem.badRequest("Expected a JSON body.") }
        try principal.requireAdmin(body.municipalityId)
        let channel = try await store.createChannel(Self.draft(body), actor: try writeActor())
        return .created(.init(headers: .init(location: "/v1/dialogue-channels/\(channel.id)"), body: .json(try Self.api(channel))))
    }

    func getDialogueChannel(_ input: Operations.GetDialogueChannel.Input) async throws -> Operations.GetDialogueChannel.Output {
        guard let channel = try await store.channel(input.path.channelId) else { throw Problem.notFound("dialogue channel", input.path.channelId) }
        return .ok(.init(body: .json(try Self.api(channel))))
    }

    func updateDialogueChannel(_ input: Operations.UpdateDialogueChannel.Input) async throws -> Operations.UpdateDialogueChannel.Output {
        guard let current = try await store.channel(input.path.channelId) else { throw Problem.notFound("dialogue channel", input.path.channelId) }
        try principal.requireAdmin(current.draft.municipalityId)
        let draft = try Self.draft(try MergePatch.apply(to: Self.writable(current)))
        try draft.validate()
        let actor = try writeActor()
        return .ok(.init(body: .json(try Self.api(try await store.updateChannel(current.id, draft, actor: actor)))))
    }

    func deleteDialogueChannel(_ input: Operations.DeleteDialogueChannel.Input) async throws -> Operations.DeleteDialogueChannel.Output {
        guard let current = try await store.channel(input.path.channelId) else { throw Problem.notFound("dialogue channel", input.path.channelId) }
        try principal.requireAdmin(current.draft.municipalityId)
        let actor = try writeActor()
        try await store.deleteChannel(current.id, actor: actor)
        return .noContent(.init())
    }

    func dialogueOverview(_ input: Operations.DialogueOverview.Input) async throws -> Operations.DialogueOverview.Output {
        let id = input.query.municipality
        try checkParameter("municipality", id, max: 63)
        guard let municipality = try await store.municipality(id) else { throw Problem.notFound("municipality", id) }
        let (stored, storedChannels) = try await store.inventory(municipality: id)
        // Service areas, and channels within each, by name in the municipality's language (Æ, Ø, Å after Z).
        let areas = Collation.sorted(stored, language: municipality.language) { $0.name }
        let areaOrder = Dictionary(uniqueKeysWithValues: areas.enumerated().map { ($1.id, $0) })
        let channels = Collation.sorted(storedChannels, language: municipality.language) { $0.draft.name }
            .enumerated().sorted { (areaOrder[$0.element.draft.serviceAreaId] ?? 0, $0.offset) < (areaOrder[$1.element.draft.serviceAreaId] ?? 0, $1.offset) }
            .map(\.element)
        if input.query.format == .csv {
            let names = Dictionary(uniqueKeysWithValues: areas.map { ($0.id, $0.name) })
            return .ok(.init(body: .csv(HTTPBody(ChannelCSV.render(channels, areaNames: names)))))
        }
        return .ok(.init(body: .json(try DialogueOverviewBuilder.build(municipality: id, areas: areas, channels: channels))))
    }

    func importDialogueChannels(_ input: Operations.ImportDialogueChannels.Input) async throws -> Operations.ImportDialogueChannels.Output {
        let municipality = input.query.municipality
        try checkParameter("municipality", municipality, max: 63)
        try principal.requireAdmin(municipality)
        guard try await store.municipality(municipality) != nil else { throw Problem.notFound("municipality", municipality) }
        guard case .csv(let body) = input.body else { throw Problem.badRequest("Expected a text/csv body.") }
        // The body middleware has already held it to the limit; it is decoded in the charset it declares.
        // What rows may refer to is read before the text is made, and the text is parsed at once: nothing waits
        // on the database while holding a copy of the file (32 concurrent 1 MiB imports stay within budget).
        let references = try await store.importReferences(municipality: municipality)
        let text = try TextDecoding.decode(try await ArraySlice(collecting: body, upTo: maxBodyBytes), charset: context?.charset)
        let rows = try ChannelCSV.parseImport(text, municipality: municipality, references: references)
        let result = try await store.importChannels(municipality: municipality, rows, actor: try writeActor())
        return .ok(.init(body: .json(.init(imported: result.created + result.updated, created: result.created, updated: result.updated,
                                           serviceAreasCreated: result.serviceAreasCreated))))
    }
}

/// Groups channels service area → target group → formal/informal, and finds the gaps.
enum DialogueOverviewBuilder {
    static func build(municipality: String, areas: [ServiceArea], channels: [DialogueChannel]) throws -> Components.Schemas.DialogueOverview {
        typealias Overview = Components.Schemas.DialogueOverview
        func entry(_ c: DialogueChannel) throws -> Components.Schemas.OverviewChannel {
            .init(id: c.id, kind: try convert(c.draft.kind), name: c.draft.name,
                  cadence: try c.draft.cadence.map { .init(count: $0.count, per: try convert($0.per)) }, active: c.draft.active)
        }
        var grouped: [Overview.ServiceAreasPayloadPayload] = []
        var gaps: [Overview.GapsPayloadPayload] = []
        for area in areas {
            let mine = channels.filter { $0.draft.serviceAreaId == area.id }
            let groups = try TargetGroup.allCases.compactMap { group -> Overview.ServiceAreasPayloadPayload.TargetGroupsPayloadPayload? in
                let inGroup = mine.filter { $0.draft.targetGroup == group }
                guard !inGroup.isEmpty else { return nil }
                return .init(targetGroup: try convert(group), formal: try inGroup.filter { $0.draft.purpose == .formal }.map(entry),
                             informal: try inGroup.filter { $0.draft.purpose == .informal }.map(entry))
            }
            grouped.append(.init(serviceAreaId: area.id, name: area.name, targetGroups: groups))
            let active = mine.filter(\.draft.active)
            let withoutFormal = TargetGroup.allCases.filter { group in
                !active.contains { $0.draft.targetGroup == group && $0.draft.purpose == .formal }
            }
            let unreached = UserCategory.allCases.filter { category in !active.contains { $0.draft.userCategory == category } }
            gaps.append(.init(serviceAreaId: area.id, name: area.name, targetGroupsWithoutFormalChannel: try withoutFormal.map(convert),
                              userCategoriesNotReached: try unreached.map(convert)))
        }
        return .init(municipalityId: municipality, serviceAreas: grouped, gaps: gaps)
    }
}
