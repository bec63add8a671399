import MedvirkAPI
import MedvirkCore

extension APIHandlers {
    /// The subscription as the contract shows it; `previous_secret_expires_at` only while the old secret signs.
    func api(_ w: Webhook, secret: String? = nil) throws -> Components.Schemas.Webhook {
        .init(id: w.id, url: w.url, events: try w.events.map { try Self.convertEvent($0) }, municipalityId: w.municipalityId,
              description: w.description, active: w.active, disabledReason: w.disabledReason, tokenId: w.tokenId, secret: secret,
              previousSecretExpiresAt: w.previousSecretExpiresAt.flatMap { $0 > store.clock.now() ? $0 : nil },
              createdAt: w.createdAt, updatedAt: w.updatedAt)
    }

    static func convertEvent(_ name: String) throws -> Components.Schemas.WebhookEventType {
        guard let event = Components.Schemas.WebhookEventType(rawValue: name) else {
            throw ContractMismatch(description: "WebhookEventType lacks \(name)")
        }
        return event
    }

    static func api(_ d: WebhookDelivery) -> Components.Schemas.WebhookDelivery {
        .init(id: d.id, webhookId: d.webhookId, eventId: d.eventId, event: d.event, seq: d.seq, status: d.status == .pending ? .pending
              : d.status == .delivered ? .delivered : .failed, attempts: d.attempts, lastStatusCode: d.lastStatusCode, lastError: d.lastError,
              nextAttemptAt: d.nextAttemptAt, lastAttemptAt: d.lastAttemptAt, deliveredAt: d.deliveredAt, redeliveryOf: d.redeliveryOf,
              createdAt: d.createdAt)
    }

    /// The caller's token: webhooks are for token holders (401 otherwise).
    func webhookToken() throws -> TokenInfo {
        guard case .token(let token) = principal else { throw Problem.unauthenticated }
        return token
    }

    /// A subscription the caller manages: its own, or, for an admin, one of a municipality it administers (a
    /// subscription to every municipality: an all-municipality admin). 404 for anyone else, so ids tell nothing.
    /// `owner`: what only the subscription's own token may do (change where and what it sends, rotate its
    /// secret, ping, redeliver): 403 for an admin who is not its owner, who may read, pause, re-enable and
    /// delete it.
    func managedWebhook(_ id: String, owner: Bool = false) async throws -> Webhook {
        let token = try webhookToken()
        guard let webhook = try await store.webhook(id),
              webhook.tokenId == token.id || principal.canAdminister(webhook.municipalityId)
        else { throw Problem.notFound("webhook", id) }
        if owner, webhook.tokenId != token.id {
            throw Problem.forbidden("Only the token that created this subscription may change its URL, events or description, rotate its secret, ping it or redeliver; an administrator may pause, re-enable or delete it.")
        }
        return webhook
    }

    /// Checks the URL's form and address (422 naming `url`), as every delivery will again.
    func checkWebhook(_ draft: WebhookDraft) async throws {
        try draft.validate(allowPlainHTTP: webhookPolicy.allowPrivate)
        if case .failure(let refusal) = await webhookPolicy.check(draft.url) { throw Problem.validation([refusal.error]) }
    }

    func listWebhooks(_ input: Operations.ListWebhooks.Input) async throws -> Operations.ListWebhooks.Output {
        let request = try pageRequest(limit: input.query.limit, cursor: input.query.cursor)
        let page = try await store.webhooks(managedBy: try webhookToken(), request)
        let next = nextPage(page)
        return .ok(.init(headers: .init(link: next.link), body: .json(.init(data: try page.items.map { try api($0) }, nextCursor: next.cursor))))
    }

    func createWebhook(_ input: Operations.CreateWebhook.Input) async throws -> Operations.CreateWebhook.Output {
        guard case .json(let body) = input.body else { throw Problem.badRequest("Expected a JSON body.") }
        let token = try webhookToken()
        let actor = try writeActor()
        let draft = WebhookDraft(url: body.url, events: body.events.map(\.rawValue), municipalityId: body.municipalityId, description: body.description)
        try await checkWebhook(draft)
        let (webhook, secret) = try await store.createWebhook(draft, token: token, actor: actor)
        return .created(.init(headers: .init(location: "/v1/webhooks/\(webhook.id)"), body: .json(try api(webhook, secret: secret))))
    }

    func getWebhook(_ input: Operations.GetWebhook.Input) async throws -> Operations.GetWebhook.Output {
        .ok(.init(body: .json(try api(try await managedWebhook(input.path.webhookId)))))
    }

    func updateWebhook(_ input: Operations.UpdateWebhook.Input) async throws -> Operations.UpdateWebhook.Output {
        let current = try await managedWebhook(input.path.webhookId)
        let merged = try MergePatch.apply(to: Components.Schemas.WebhookPatch(
            url: current.url, events: try current.events.map { try Self.convertEvent($0) }, description: current.description, active: current.active))
        let actor = try writeActor()
        let draft = WebhookDraft(url: merged.url ?? current.url, events: merged.events?.map(\.rawValue) ?? current.events,
                                 municipalityId: current.municipalityId, description: merged.description)
        if draft != WebhookDraft(url: current.url, events: current.events, municipalityId: current.municipalityId, description: current.description) {
            _ = try await managedWebhook(current.id, owner: true)
        }
        if draft.url != current.url { try await checkWebhook(draft) } else { try draft.validate(allowPlainHTTP: true) }
        let active = merged.active == current.active ? nil : merged.active
        return .ok(.init(body: .json(try api(try await store.updateWebhook(current.id, draft, active: active, actor: actor)))))
    }

    func deleteWebhook(_ input: Operations.DeleteWebhook.Input) async throws -> Operations.DeleteWebhook.Output {
        let current = try await managedWebhook(input.path.webhookId)
        guard try await store.deleteWebhook(current.id, actor: try writeActor()) else { throw Problem.notFound("webhook", current.id) }
        return .noContent(.init())
    }

    func rotateWebhookSecret(_ input: Operations.RotateWebhookSecret.Input) async throws -> Operations.RotateWebhookSecret.Output {
        let current = try await managedWebhook(input.path.webhookId, owner: true)
        let (webhook, secret) = try await store.rotateWebhookSecret(current.id, actor: try writeActor())
        return .ok(.init(body: .json(try api(webhook, secret: secret))))
    }

    func pingWebhook(_ input: Operations.PingWebhook.Input) async throws -> Operations.PingWebhook.Output {
        let current = try await managedWebhook(input.path.webhookId, owner: true)
        return .accepted(.init(body: .json(Self.api(try await store.pingWebhook(current.id, actor: try writeActor())))))
    }

    func listWebhookDeliveries(_ input: Operations.ListWebhookDeliveries.Input) async throws -> Operations.ListWebhookDeliveries.Output {
        let request = try pageRequest(limit: input.query.limit, cursor: input.query.cursor)
        let webhook = try await managedWebhook(input.path.webhookId)
        let status = input.query.status.flatMap { WebhookDelivery.Status(rawValue: $0.rawValue) }
        let page = try await store.deliveries(webhook: webhook.id, status: status, request)
        let next = nextPage(page)
        // A paused or disabled subscription tries nothing: its pending deliveries have no next attempt until re-enabled.
        let items = page.items.map { delivery in
            var shown = delivery
            if !webhook.active { shown.nextAttemptAt = nil }
            return Self.api(shown)
        }
        return .ok(.init(headers: .init(link: next.link), body: .json(.init(data: items, nextCursor: next.cursor))))
    }

    func redeliverWebhookDelivery(_ input: Operations.RedeliverWebhookDelivery.Input) async throws -> Operations.RedeliverWebhookDelivery.Output {
        _ = try webhookToken()
        let id = input.path.deliveryId
        guard let delivery = try await store.delivery(id), (try? await managedWebhook(delivery.webhookId)) != nil else {
            throw Problem.notFound("delivery", id)
        }
        _ = try await managedWebhook(delivery.webhookId, owner: true)
        return .accepted(.init(body: .json(Self.api(try await store.redeliver(delivery.id, actor: try writeActor())))))
    }
}
