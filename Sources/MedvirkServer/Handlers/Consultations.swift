import Foundation
import MedvirkAPI
import MedvirkCore
import OpenAPIRuntime

extension APIHandlers {
    func api(_ c: Consultation) throws -> Components.Schemas.Consultation {
        let d = c.draft
        let now = store.clock.now()
        // `published` counts what the caller can read: for the public, none until the policy releases them
        // (the store's `Readable` rule for responses, as a count: under `after_deadline` the deadline must have passed).
        let released = d.publishResponses == .onApproval || (d.publishResponses == .afterDeadline && now >= d.closesAt)
        let admin = reader.administers(d.municipalityId)
        let published = released || admin ? c.published : 0
        let memo = c.memo.map { Self.api($0, consultation: c.id) }
        let conclusion: Components.Schemas.Conclusion? = d.conclusion == nil && memo == nil ? nil
            : .init(summary: d.conclusion?.summary, memoUrl: d.conclusion?.memoURL, memo: memo, concludedAt: d.conclusion?.concludedAt)
        // The memo's sections are the administration's drafts; the public reads them in the published memo.
        let sections = admin
        return .init(
            id: c.id, municipalityId: d.municipalityId, serviceAreaId: d.serviceAreaId, title: d.title, summary: d.summary,
            body: d.body, caseNumber: d.caseNumber, documents: try Self.api(d.documents),
            opensAt: d.opensAt, closesAt: d.closesAt, status: try convert(d.status), phase: try convert(d.phase(at: now)),
            audience: try convert(d.audience), latePolicy: try convert(d.latePolicy), publishResponses: try convert(d.publishResponses),
            conclusion: conclusion, responseCounts: .init(received: c.received, published: published), hearingDays: c.hearingDays,
            shortPeriodReason: d.shortPeriodReason, memoIntroduction: sections ? d.memoIntroduction : nil,
            memoRecommendation: sections ? d.memoRecommendation : nil, personalDataRetentionDays: admin ? d.retentionDays : nil,
            personalDataErasedAt: admin ? c.personalDataErasedAt : nil, tags: d.tags, createdAt: c.createdAt, updatedAt: c.updatedAt)
    }

    static func writable(_ c: Consultation) throws -> Components.Schemas.ConsultationCreate {
        let d = c.draft
        return .init(
            municipalityId: d.municipalityId, serviceAreaId: d.serviceAreaId, title: d.title, summary: d.summary, body: d.body,
            caseNumber: d.caseNumber, documents: try Self.writable(d.documents), opensAt: d.opensAt,
            closesAt: d.closesAt, status: try convert(d.status), audience: try convert(d.audience), latePolicy: try convert(d.latePolicy),
            publishResponses: try convert(d.publishResponses),
            conclusion: d.conclusion.flatMap { $0.summary == nil && $0.memoURL == nil ? nil : .init(summary: $0.summary, memoUrl: $0.memoURL) },
            tags: d.tags, shortPeriodReason: d.shortPeriodReason, memoIntroduction: d.memoIntroduction,
            memoRecommendation: d.memoRecommendation, personalDataRetentionDays: d.retentionDays)
    }

    static func draft(_ b: Components.Schemas.ConsultationCreate, concludedAt: Date? = nil) throws -> ConsultationDraft {
        ConsultationDraft(
            municipalityId: b.municipalityId, serviceAreaId: b.serviceAreaId, title: b.title, summary: b.summary, body: b.body,
            caseNumber: b.caseNumber, documents: try Self.documents(b.documents),
            opensAt: b.opensAt, closesAt: b.closesAt, status: try b.status.map(convert) ?? .draft,
            audience: try b.audience.map(convert) ?? .public, latePolicy: try b.latePolicy.map(convert) ?? .reject,
            publishResponses: try b.publishResponses.map(convert) ?? .onApproval,
            // A consultation concluded by its memo alone keeps a conclusion that holds only the date.
            conclusion: b.conclusion?.summary == nil && b.conclusion?.memoUrl == nil && concludedAt == nil ? nil
                : Conclusion(summary: b.conclusion?.summary, memoURL: b.conclusion?.memoUrl, concludedAt: concludedAt),
            tags: b.tags ?? [], shortPeriodReason: b.shortPeriodReason, memoIntroduction: b.memoIntroduction,
            memoRecommendation: b.memoRecommendation, retentionDays: b.personalDataRetentionDays)
    }

    /// A consultation the caller may see: drafts and withdrawn ones only for admins of its municipality.
    func visibleConsultation(_ id: String) async throws -> Consultation {
        guard let found = try await store.consultation(id, readableBy: reader) else { throw Problem.notFound("consultation", id) }
        return found
    }

    func listConsultations(_ input: Operations.ListConsultations.Input) async throws -> Operations.ListConsultations.Output {
        let q = input.query
        let request = try pageRequest(limit: q.limit, cursor: q.cursor)
        try checkParameter("municipality", q.municipality, max: 63)
        try checkParameter("service_area", q.serviceArea, max: 64)
        try checkParameter("q", q.q, max: 200)
        let filter = ConsultationFilter(municipality: q.municipality, phase: try q.phase.map(convert), status: try q.status.map(convert),
                                        serviceArea: q.serviceArea, query: q.q, reader: reader)
        let page = try await store.consultations(filter, request)
        let next = nextPage(page)
        return .ok(.init(headers: .init(link: next.link), body: .json(.init(data: try page.items.map(api), nextCursor: next.cursor))))
    }

    func createConsultation(_ input: Operations.CreateConsultation.Input) async throws -> Operations.CreateConsultation.Output {
        guard case .json(let body) = input.body else { throw Problem.badRequest("Expected a JSON body.") }
        try principal.requireAdmin(body.municipalityId)
        let created = try await store.createConsultation(Self.draft(body), actor: try writeActor())
        return .created(.init(headers: .init(location: "/v1/consultations/\(created.id)"), body: .json(try api(created))))
    }

    func getConsultation(_ input: Operations.GetConsultation.Input) async throws -> Operations.GetConsultation.Output {
        .ok(.init(body: .json(try api(try await visibleConsultation(input.path.consultationId)))))
    }

    func updateConsultation(_ input: Operations.UpdateConsultation.Input) async throws -> Operations.UpdateConsultation.Output {
        let current = try await visibleConsultation(input.path.consultationId)
        try principal.requireAdmin(current.draft.municipalityId)
        let draft = try Self.draft(try MergePatch.apply(to: Self.writable(current)), concludedAt: current.draft.conclusion?.concludedAt)
        try draft.validate()
        let actor = try writeActor()
        return .ok(.init(body: .json(try api(try await store.updateConsultation(current.id, draft, actor: actor)))))
    }

    func deleteConsultation(_ input: Operations.DeleteConsultation.Input) async throws -> Operations.DeleteConsultation.Output {
        let current = try await visibleConsultation(input.path.consultationId)
        try principal.requireAdmin(current.draft.municipalityId)
        let actor = try writeActor()
        try await store.deleteConsultation(current.id, actor: actor)
        return .noContent(.init())
    }

    func consultationDeadlinesCalendar(_ input: Operations.ConsultationDeadlinesCalendar.Input) async throws -> Operations.ConsultationDeadlinesCalendar.Output {
        try checkParameter("municipality", input.query.municipality, max: 63)
        let consultations = try await store.upcomingDeadlines(municipality: input.query.municipality)
        var languages: [String: Language] = [:]
        for id in Set(consultations.map(\.draft.municipalityId)) { languages[id] = try await store.municipality(id)?.language }
        let events = consultations.map { c in
            let language = languages[c.draft.municipalityId] ?? .da
            return ICalendar.Event(uid: "\(c.id)@medvirk", stamp: c.updatedAt, start: c.draft.closesAt,
                                   summary: "\(Wording.deadline(language)): \(c.draft.title)", description: c.draft.summary, categories: c.draft.tags)
        }
        let feed = try await calendarFeed(municipality: input.query.municipality)
        let text = ICalendar.render(name: Wording.calendarName(feed.owner, Wording.consultations(feed.language)), timeZone: feed.timeZone,
                                    language: feed.language.rawValue, events: events)
        return .ok(.init(body: .textCalendar(HTTPBody(text))))
    }
}

