import Foundation
import MedvirkAPI
import MedvirkCore
import OpenAPIRuntime

extension APIHandlers {
    static func api(_ m: Meeting) throws -> Components.Schemas.Meeting {
        let d = m.draft
        return .init(
            id: m.id, municipalityId: d.municipalityId, councilId: d.councilId, consultationId: d.consultationId, kind: try convert(d.kind),
            title: d.title, description: d.description, startsAt: d.startsAt, endsAt: d.endsAt,
            location: d.location.map { .init(name: $0.name, address: $0.address) }, onlineUrl: d.onlineURL, _public: d.isPublic,
            status: try convert(d.status), accessibility: d.accessibility.map(api), registration: d.registration.map(api),
            documents: try Self.api(d.documents), createdAt: m.createdAt, updatedAt: m.updatedAt)
    }

    static func api(_ a: Accessibility) -> Components.Schemas.Accessibility {
        .init(stepFree: a.stepFree, hearingLoop: a.hearingLoop, signLanguageInterpreter: a.signLanguageInterpreter, notes: a.notes)
    }

    static func api(_ r: Registration) -> Components.Schemas.Registration {
        .init(required: r.required, url: r.url, deadline: r.deadline)
    }

    static func writable(_ m: Meeting) throws -> Components.Schemas.MeetingCreate {
        let d = m.draft
        return .init(
            municipalityId: d.municipalityId, councilId: d.councilId, consultationId: d.consultationId, kind: try convert(d.kind),
            title: d.title, description: d.description, startsAt: d.startsAt, endsAt: d.endsAt,
            location: d.location.map { .init(name: $0.name, address: $0.address) }, onlineUrl: d.onlineURL, _public: d.isPublic,
            status: try convert(d.status), accessibility: d.accessibility.map(api), registration: d.registration.map(api),
            documents: try Self.writable(d.documents))
    }

    static func draft(_ b: Components.Schemas.MeetingCreate) throws -> MeetingDraft {
        MeetingDraft(
            municipalityId: b.municipalityId, councilId: b.councilId, consultationId: b.consultationId, kind: try convert(b.kind),
            title: b.title, description: b.description, startsAt: b.startsAt, endsAt: b.endsAt,
            location: b.location.flatMap { $0.name == nil && $0.address == nil ? nil : MeetingLocation(name: $0.name, address: $0.address) },
            onlineURL: b.onlineUrl, isPublic: b._public ?? true, status: try b.status.map(convert) ?? .planned,
            accessibility: b.accessibility.map { Accessibility(stepFree: $0.stepFree, hearingLoop: $0.hearingLoop,
                                                                signLanguageInterpreter: $0.signLanguageInterpreter, notes: $0.notes) },
            registration: b.registration.map { Registration(required: $0.required ?? false, url: $0.url, deadline: $0.deadline) },
            documents: try Self.documents(b.documents))
    }

    /// A meeting the caller may read (see `Readable`), else the 404.
    func visibleMeeting(_ id: String) async throws -> Meeting {
        guard let found = try await store.meeting(id, readableBy: reader) else { throw Problem.notFound("meeting", id) }
        return found
    }

    /// The contract's meetings, linking a consultation only when the caller may read that too.
    func api(_ meetings: [Meeting]) async throws -> [Components.Schemas.Meeting] {
        let consultations = try await shown(.consultation, meetings.map(\.draft.consultationId))
        return try zip(meetings, consultations).map { meeting, consultation in
            var shownMeeting = try Self.api(meeting)
            shownMeeting.consultationId = consultation
            return shownMeeting
        }
    }

    func api(_ meeting: Meeting) async throws -> Components.Schemas.Meeting {
        try await api([meeting])[0]
    }

    func listMeetings(_ input: Operations.ListMeetings.Input) async throws -> Operations.ListMeetings.Output {
        let q = input.query
        let request = try pageRequest(limit: q.limit, cursor: q.cursor)
        try checkParameter("municipality", q.municipality, max: 63)
        try checkParameter("council", q.council, max: 64)
        let filter = MeetingFilter(municipality: q.municipality, council: q.council, kind: try q.kind.map(convert), status: try q.status.map(convert),
                                   from: q.from, to: q.to, reader: reader)
        let page = try await store.meetings(filter, request)
        let next = nextPage(page)
        return .ok(.init(headers: .init(link: next.link), body: .json(.init(data: try await api(page.items), nextCursor: next.cursor))))
    }

    func listCouncilMeetings(_ input: Operations.ListCouncilMeetings.Input) async throws -> Operations.ListCouncilMeetings.Output {
        let request = try pageRequest(limit: input.query.limit, cursor: input.query.cursor)
        let council = try await council(input.path.councilId)
        let page = try await store.meetings(MeetingFilter(council: council.id, reader: reader), request)
        let next = nextPage(page)
        return .ok(.init(headers: .init(link: next.link), body: .json(.init(data: try await api(page.items), nextCursor: next.cursor))))
    }

    func createMeeting(_ input: Operations.CreateMeeting.Input) async throws -> Operations.CreateMeeting.Output {
        guard case .json(let body) = input.body else { throw Problem.badRequest("Expected a JSON body.") }
        try principal.requireAdmin(body.municipalityId)
        let meeting = try await store.createMeeting(Self.draft(body), actor: try writeActor())
        return .created(.init(headers: .init(location: "/v1/meetings/\(meeting.id)"), body: .json(try Self.api(meeting))))
    }

    func getMeeting(_ input: Operations.GetMeeting.Input) async throws -> Operations.GetMeeting.Output {
        .ok(.init(body: .json(try await api(try await visibleMeeting(input.path.meetingId)))))
    }

    func updateMeeting(_ input: Operations.UpdateMeeting.Input) async throws -> Operations.UpdateMeeting.Output {
        let current = try await visibleMeeting(input.path.meetingId)
        try principal.requireAdmin(current.draft.municipalityId)
        let draft = try Self.draft(try MergePatch.apply(to: Self.writable(current)))
        try draft.validate()
        let actor = try writeActor()
        return .ok(.init(body: .json(try Self.api(try await store.updateMeeting(current.id, draft, actor: actor)))))
    }

    func deleteMeeting(_ input: Operations.DeleteMeeting.Input) async throws -> Operations.DeleteMeeting.Output {
        let current = try await visibleMeeting(input.path.meetingId)
        try principal.requireAdmin(current.draft.municipalityId)
        let actor = try writeActor()
        try await store.deleteMeeting(current.id, actor: actor)
        return .noContent(.init())
    }

    /// Public meetings only, whoever asks: a calendar subscription is shared. The feed is named after the
    /// council or municipality it is for, in that municipality's language.
    func meetingEvents(_ filter: MeetingFilter, council: Council? = nil) async throws -> String {
        var events: [ICalendar.Event] = []
        var cursor: Cursor?
        repeat {
            let page = try await store.meetings(filter, PageRequest(limit: 200, after: cursor))
            events += page.items.map { m in
                let place = [m.draft.location?.name, m.draft.location?.address].compactMap { $0 }.joined(separator: ", ")
                return ICalendar.Event(uid: "\(m.id)@medvirk", stamp: m.updatedAt, start: m.draft.startsAt, end: m.draft.endsAt,
                                       summary: m.draft.title, description: m.draft.description,
                                       location: place.isEmpty ? nil : place, url: m.draft.onlineURL ?? m.draft.registration?.url,
                                       sequence: m.sequence, cancelled: m.draft.status == .cancelled)
            }
            cursor = page.next
        } while cursor != nil && events.count < 5000
        var feed = try await calendarFeed(municipality: council?.draft.municipalityId ?? filter.municipality)
        if let council { feed.owner = council.draft.name }
        return ICalendar.render(name: Wording.calendarName(feed.owner, Wording.meetings(feed.language)), timeZone: feed.timeZone,
                                language: feed.language.rawValue, events: events)
    }

    func meetingsCalendar(_ input: Operations.MeetingsCalendar.Input) async throws -> Operations.MeetingsCalendar.Output {
        try checkParameter("municipality", input.query.municipality, max: 63)
        try checkParameter("council", input.query.council, max: 64)
        let filter = MeetingFilter(municipality: input.query.municipality, council: input.query.council, kind: try input.query.kind.map(convert))
        var council: Council?
        if let id = input.query.council { council = try await store.council(id) }
        return .ok(.init(body: .textCalendar(HTTPBody(try await meetingEvents(filter, council: council)))))
    }

    func councilMeetingsCalendar(_ input: Operations.CouncilMeetingsCalendar.Input) async throws -> Operations.CouncilMeetingsCalendar.Output {
        let council = try await council(input.path.councilId)
        return .ok(.init(body: .textCalendar(HTTPBody(try await meetingEvents(MeetingFilter(council: council.id), council: council)))))
    }
}

/// Whose a calendar feed is: the name it is called by, the language of its words and its time zone.
struct CalendarFeed {
    var owner: String
    var language: Language
    var timeZone: String?
}

extension APIHandlers {
    /// One municipality's feed is named after it, in its language and time zone; a feed across municipalities
    /// is "Medvirk", in Danish, without a time zone.
    func calendarFeed(municipality id: String?) async throws -> CalendarFeed {
        guard let id, let municipality = try await store.municipality(id) else {
            return CalendarFeed(owner: "Medvirk", language: .da, timeZone: nil)
        }
        return CalendarFeed(owner: municipality.name, language: municipality.language, timeZone: municipality.timeZone)
    }
}

