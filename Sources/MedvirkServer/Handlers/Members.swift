import MedvirkAPI
import MedvirkCore
import MedvirkStore

extension APIHandlers {
    /// Contact details are private: only an admin of the council's municipality sees them.
    static func api(_ m: Member, showPrivate: Bool) throws -> Components.Schemas.Member {
        let d = m.draft
        return .init(
            id: m.id, councilId: m.councilId, name: d.name, role: try convert(d.role), group: try convert(d.group),
            organisation: d.organisation, nominatedBy: d.nominatedBy, voting: d.voting, deputyOf: d.deputyOf,
            termStart: d.termStart.text, termEnd: d.termEnd?.text,
            email: showPrivate ? d.email : nil, phone: showPrivate ? d.phone : nil,
            createdAt: m.createdAt, updatedAt: m.updatedAt)
    }

    static func writable(_ m: Member) throws -> Components.Schemas.MemberCreate {
        let d = m.draft
        return .init(name: d.name, role: try convert(d.role), group: try convert(d.group), organisation: d.organisation,
                     nominatedBy: d.nominatedBy, voting: d.voting, deputyOf: d.deputyOf, termStart: d.termStart.text,
                     termEnd: d.termEnd?.text, email: d.email, phone: d.phone)
    }

    static func draft(_ b: Components.Schemas.MemberCreate) throws -> MemberDraft {
        guard let start = try date("term_start", b.termStart) else {
            throw Problem.validation([FieldError("term_start", "is required")])
        }
        return MemberDraft(name: b.name, role: try convert(b.role), group: try convert(b.group), organisation: b.organisation,
                           nominatedBy: b.nominatedBy, voting: b.voting ?? false, deputyOf: b.deputyOf, termStart: start,
                           termEnd: try date("term_end", b.termEnd), email: b.email, phone: b.phone)
    }

    func council(_ id: String) async throws -> Council {
        guard let council = try await store.council(id) else { throw Problem.notFound("council", id) }
        return council
    }

    func listMembers(_ input: Operations.ListMembers.Input) async throws -> Operations.ListMembers.Output {
        let request = try pageRequest(limit: input.query.limit, cursor: input.query.cursor)
        let council = try await council(input.path.councilId)
        let selection: MemberSelection
        switch input.query.at {
        case nil:
            let zone = try await store.municipality(council.draft.municipalityId)?.timeZone ?? "UTC"
            selection = .on(CalendarDate.today(in: zone, now: store.clock.now()))
        case "all":
            selection = .all
        case let text?:
            guard let day = CalendarDate(text) else {
                // Shaped like a date (as the contract's pattern allows) but naming no day: a rule, 422; else 400.
                let shaped = text.utf8.count == 10 && text.utf8.enumerated().allSatisfy { i, c in i == 4 || i == 7 ? c == 45 : (48...57).contains(c) }
                let error = FieldError("at", CalendarDate.notADate(text) + ", or 'all'")
                throw shaped ? Problem.validation([error]) : Problem.badRequest("at must be a date YYYY-MM-DD or 'all'.", slug: "invalid-parameter", errors: [error])
            }
            selection = .on(day)
        }
        let page = try await store.members(council: council.id, selection, request)
        let showPrivate = principal.canAdminister(council.draft.municipalityId)
        let next = nextPage(page)
        return .ok(.init(headers: .init(link: next.link), body: .json(.init(data: try page.items.map { try Self.api($0, showPrivate: showPrivate) }, nextCursor: next.cursor))))
    }

    func createMember(_ input: Operations.CreateMember.Input) async throws -> Operations.CreateMember.Output {
        guard case .json(let body) = input.body else { throw Problem.badRequest("Expected a JSON body.") }
        let council = try await council(input.path.councilId)
        try principal.requireAdmin(council.draft.municipalityId)
        let created = try await store.createMember(council: council.id, Self.draft(body), actor: try writeActor())
        return .created(.init(headers: .init(location: "/v1/councils/\(council.id)/members/\(created.id)"), body: .json(try Self.api(created, showPrivate: true))))
    }

    func getMember(_ input: Operations.GetMember.Input) async throws -> Operations.GetMember.Output {
        let council = try await council(input.path.councilId)
        guard let member = try await store.member(input.path.memberId, council: council.id) else {
            throw Problem.notFound("member", input.path.memberId)
        }
        let showPrivate = principal.canAdminister(council.draft.municipalityId)
        return .ok(.init(body: .json(try Self.api(member, showPrivate: showPrivate))))
    }

    func updateMember(_ input: Operations.UpdateMember.Input) async throws -> Operations.UpdateMember.Output {
        let council = try await council(input.path.councilId)
        try principal.requireAdmin(council.draft.municipalityId)
        guard let current = try await store.member(input.path.memberId, council: council.id) else {
            throw Problem.notFound("member", input.path.memberId)
        }
        let draft = try Self.draft(try MergePatch.apply(to: Self.writable(current)))
        try Problem.check(draft.validate(seats: council.draft.seatsByGroup))
        let actor = try writeActor()
        let updated = try await store.updateMember(current.id, council: council.id, draft, actor: actor)
        return .ok(.init(body: .json(try Self.api(updated, showPrivate: true))))
    }

    func deleteMember(_ input: Operations.DeleteMember.Input) async throws -> Operations.DeleteMember.Output {
        let council = try await council(input.path.councilId)
        try principal.requireAdmin(council.draft.municipalityId)
        guard try await store.member(input.path.memberId, council: council.id) != nil else {
            throw Problem.notFound("member", input.path.memberId)
        }
        let actor = try writeActor()
        try await store.deleteMember(input.path.memberId, council: council.id, actor: actor)
        return .noContent(.init())
    }
}
