import MedvirkAPI
import MedvirkCore

extension APIHandlers {
    /// Admins see every event of what they administer; a partner the public view and the events about its
    /// own responses and the parties linked to it; everyone else the public view.
    func listChanges(_ input: Operations.ListChanges.Input) async throws -> Operations.ListChanges.Output {
        let q = input.query
        try checkParameter("municipality", q.municipality, max: 63)
        let request = try PageRequest.parse(limit: q.limit, cursor: nil)
        var after: Int64 = 0
        if let text = q.after {
            guard (1...18).contains(text.count), text.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int64(text) else {
                throw Problem.badRequest("after must be the next_cursor of an earlier page: a number of at most 18 digits.",
                                         slug: "invalid-cursor", errors: [FieldError("after", "must be a number of at most 18 digits")])
            }
            after = value
        }
        var (adminOf, partner): ([String]?, String?) = ([], nil)
        if case .token(let token) = principal { (adminOf, partner) = token.feedView }
        let page = try await store.changes(municipality: q.municipality, after: after, limit: request.limit, adminOf: adminOf, partner: partner)
        let next = nextPage(cursor: String(page.next), parameter: "after")
        let data = try page.events.map { e in
            Components.Schemas.ChangeEvent(seq: e.seq, at: e.at, municipalityId: e.municipalityId,
                                           _type: try convert(e.type), id: e.id, href: e.href,
                                           action: try convert(e.action), event: e.event)
        }
        // Pollers must see new events at once; 304 keeps revalidation cheap. (A token's view is its own: the
        // representation layer makes every authenticated read `private, no-store`.)
        return .ok(.init(headers: .init(cacheControl: "public, max-age=0", link: next.link),
                         body: .json(.init(data: data, nextCursor: String(page.next)))))
    }
}
