import MedvirkAPI
import MedvirkCore

extension APIHandlers {
    func listAudit(_ input: Operations.ListAudit.Input) async throws -> Operations.ListAudit.Output {
        let municipality = input.query.municipality
        if let municipality {
            try principal.requireAdmin(municipality)
        } else if !principal.isAdmin {
            try principal.requireAdmin(nil)
        }
        try checkParameter("municipality", municipality, max: 63)
        let request = try pageRequest(limit: input.query.limit, cursor: input.query.cursor)
        var within: [String]?
        if case .token(let token) = principal, !token.municipalities.isEmpty { within = token.municipalities }
        let page = try await store.audit(municipality: municipality, within: within, request)
        let data = page.items.map { e in
            Components.Schemas.AuditEntry(
                id: Int(e.seq), at: e.at, tokenId: e.tokenId, tokenName: e.tokenName, method: e.method, path: e.path,
                resourceId: e.resourceId, municipalityId: e.municipalityId, requestId: e.requestId)
        }
        let next = nextPage(page)
        return .ok(.init(headers: .init(link: next.link), body: .json(.init(data: data, nextCursor: next.cursor))))
    }
}
