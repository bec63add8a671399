import Foundation
import MedvirkCore
import MedvirkServer
import Testing

/// Runs a test with a receiver on 127.0.0.1, webhooks allowed to reach it, and short retry waits.
func withWebhooks(schedule: String = "1s,1s,1s", disableAfter: TimeInterval = 3 * 86_400, allowPrivate: Bool = true,
                  resolver: FakeResolver = FakeResolver(), attemptTimeout: Int64 = 10,
                  _ test: @escaping @Sendable (API, WebhookReceiver, String) async throws -> Void) async throws {
    let receiver = WebhookReceiver()
    try await receiver.run { base in
        try await withAPI(configure: { config in
            config.webhooks.allowPrivate = allowPrivate
            config.webhooks.schedule = RetrySchedule(parsing: schedule)!
            config.webhooks.disableAfter = disableAfter
            config.webhooks.resolver = resolver
            config.webhooks.attemptTimeout = attemptTimeout
        }) { api in try await test(api, receiver, base) }
    }
}

/// Subscribes `url` to `events` as `token`; returns the subscription's id and secret.
func subscribe(_ api: API, _ url: String, _ events: [String], token: String, extra: String = "") async throws -> (id: String, secret: String) {
    let list = events.map { "\"\($0)\"" }.joined(separator: ",")
    let reply = try await api.call(.post, "/v1/webhooks", token: token, body: #"{"url":"\#(url)","events":[\#(list)]\#(extra)}"#)
    try #require(reply.status == .created, "subscribing gave \(reply.status): \(reply.text)")
    return (try #require(reply.string("id")), try #require(reply.string("secret")))
}

/// The subscription's deliveries as the API lists them, newest first.
func deliveries(_ api: API, _ webhook: String, token: String) async throws -> [[String: any Sendable]] {
    let reply = try await api.get("/v1/webhooks/\(webhook)/deliveries", token: token)
    try #require(reply.status == .ok, "\(reply.status): \(reply.text)")
    return reply.data
}

@Suite struct WebhookTests {
    @Test func aReceiverThatTricklesOrAHostThatDoesNotResolveIsRetriedNotFailedOrStuck() async throws {
        let resolver = FakeResolver()
        try await withWebhooks(resolver: resolver, attemptTimeout: 1) { api, receiver, base in
            let (m, _) = try await seedMunicipality(api)
            let admin = api.service.admin
            receiver.script("/slow", [(WebhookReceiver.trickle, [:]), (204, [:])])
            let slow = try await subscribe(api, base + "/slow", ["consultation.published"], token: admin)
            let port = try #require(URLComponents(string: base)?.port)
            resolver.set("hooks.medvirk.test", ["127.0.0.1"])
            let named = try await subscribe(api, "http://hooks.medvirk.test:\(port)/named", ["consultation.published"], token: admin)
            resolver.remove("hooks.medvirk.test")
            try await seedConsultation(api, municipality: m)
            // The slow body is cut off after the attempt's time (1 s here), and the attempt retried.
            try await eventually { try await deliveries(api, slow.id, token: admin).first?["attempts"] as? Int == 1 }
            let cut = try #require(try await deliveries(api, slow.id, token: admin).first)
            #expect(cut["status"] as? String == "pending" && (cut["last_error"] as? String ?? "").contains("timed out"))
            // The name resolves to nothing yet (DNS down): retried, not failed.
            try await eventually { try await deliveries(api, named.id, token: admin).first?["attempts"] as? Int == 1 }
            let unresolved = try #require(try await deliveries(api, named.id, token: admin).first)
            #expect(unresolved["status"] as? String == "pending" && (unresolved["last_error"] as? String ?? "").contains("resolve"))
            resolver.set("hooks.medvirk.test", ["127.0.0.1"])
            await api.service.clock.advance(by: 3)
            try await eventually { try await deliveries(api, slow.id, token: admin).first?["status"] as? String == "delivered" }
            try await eventually { try await deliveries(api, named.id, token: admin).first?["status"] as? String == "delivered" }
            // Connected to the checked address, with the name kept for Host.
            #expect(receiver.received("/named").first?.authority?.hasPrefix("hooks.medvirk.test") == true)
        }
    }

    @Test func anAttemptUnderWayIsAbandonedWhenItsOwnerRedirectsTheSubscription() async throws {
        try await withWebhooks(attemptTimeout: 30) { api, receiver, base in
            let (m, _) = try await seedMunicipality(api)
            receiver.script("/old", [(WebhookReceiver.trickle, [:])])
            let partner = try await api.service.token(.partner)
            let sub = try await subscribe(api, base + "/old", ["consultation.published"], token: partner)
            try await seedConsultation(api, municipality: m)
            _ = try await receiver.wait("/old", count: 1)
            try expectOK(try await api.patch("/v1/webhooks/\(sub.id)", #"{"url":"\#(base)/new"}"#, token: partner))
            // Within a moment, not after the old receiver's 30 s: the attempt was dropped, not counted, and sent anew.
            #expect(try await receiver.wait("/new", count: 1).first?.type == "consultation.published")
            try await eventually { try await deliveries(api, sub.id, token: partner).first?["status"] as? String == "delivered" }
            #expect(try await deliveries(api, sub.id, token: partner).first?["attempts"] as? Int == 1)
        }
    }

    @Test func revokingATokenFailsItsSubscriptionsPendingDeliveries() async throws {
        try await withWebhooks { api, receiver, base in
            let (m, _) = try await seedMunicipality(api)
            receiver.script("/down", [(503, [:])])
            let partner = try await api.service.tokenWithId(.partner)
            let sub = try await subscribe(api, base + "/down", ["consultation.published"], token: partner.bearer)
            try await seedConsultation(api, municipality: m)
            try await eventually { try await deliveries(api, sub.id, token: partner.bearer).first?["attempts"] as? Int == 1 }
            #expect(try await api.service.store.revokeToken(partner.id))
            let listed = try await deliveries(api, sub.id, token: api.service.admin)
            #expect(listed.count == 1 && listed[0]["status"] as? String == "failed" && listed[0]["last_error"] as? String == "token revoked")
            #expect(listed[0]["next_attempt_at"] == nil)
        }
    }

    @Test func onlyItsOwnTokenRedirectsASubscriptionAndEveryWriteIsAudited() async throws {
        try await withWebhooks { api, _, base in
            let (m, _) = try await seedMunicipality(api)
            let partner = try await api.service.tokenWithId(.partner)
            let sub = try await subscribe(api, base + "/p", ["consultation.opened"], token: partner.bearer, extra: #","municipality_id":"\#(m)""#)
            let admin = try await api.service.token(.admin, [m])
            // An admin of the municipality may pause and delete a partner's subscription, not take it over.
            expectProblem(try await api.patch("/v1/webhooks/\(sub.id)", #"{"url":"\#(base)/mine"}"#, token: admin), .forbidden)
            expectProblem(try await api.call(.post, "/v1/webhooks/\(sub.id)/rotate-secret", token: admin), .forbidden)
            expectProblem(try await api.call(.post, "/v1/webhooks/\(sub.id)/ping", token: admin), .forbidden)
            #expect(try await api.patch("/v1/webhooks/\(sub.id)", #"{"active":false}"#, token: admin).status == .ok)
            #expect(try await api.get("/v1/webhooks/\(sub.id)", token: partner.bearer).json["url"] as? String == base + "/p")
            #expect(try await api.delete("/v1/webhooks/\(sub.id)", token: admin).status == .noContent)
            let audit = try await api.get("/v1/admin/audit?municipality=\(m)", token: api.service.admin).data
            let paths = audit.compactMap { entry in (entry["method"] as? String).map { "\($0) \(entry["path"] as? String ?? "")" } }
            #expect(paths.contains("POST /v1/webhooks") && paths.contains("PATCH /v1/webhooks/\(sub.id)") && paths.contains("DELETE /v1/webhooks/\(sub.id)"))
        }
    }

    @Test func aPartnerReceivesSignedEventsOfItsOwnResponsesOnly() async throws {
        try await withWebhooks { api, receiver, base in
            let (m, _) = try await seedMunicipality(api)
            let a = try await api.service.tokenWithId(.partner), b = try await api.service.tokenWithId(.partner)
            let events = ["response.received", "response.published", "response.withheld", "party.invited"]
            let subA = try await subscribe(api, base + "/a", events, token: a.bearer)
            _ = try await subscribe(api, base + "/b", events, token: b.bearer)
            let consultation = try await seedConsultation(api, municipality: m)
            // A party linked to A is A's news; a party linked to no one is no partner's.
            let party = try await api.create("/v1/consultations/\(consultation)/parties",
                                             #"{"name":"Ældresagen","kind":"organisation","partner_token_id":"\#(a.id)"}"#)
            try await api.create("/v1/consultations/\(consultation)/parties", #"{"name":"Handicapforeningen","kind":"organisation"}"#)
            let mine = try #require(try await submit(api, consultation, token: a.bearer, key: "a1").string("id"))
            let theirs = try #require(try await submit(api, consultation, token: b.bearer, key: "b1").string("id"))
            try expectOK(try await api.patch("/v1/responses/\(mine)", #"{"status":"published"}"#))
            try expectOK(try await api.patch("/v1/responses/\(theirs)", #"{"status":"withheld","withheld_reason":"Personfølsomt"}"#))

            let gotA = Array(try await receiver.wait("/a", count: 3).dropFirst())
            let gotB = try await receiver.wait("/b", count: 2)
            #expect(receiver.received("/a").first.map { "\($0.type) \($0.dataId)" } == "party.invited \(party)")
            #expect(gotA.map { "\($0.type) \($0.dataId)" } == ["response.received \(mine)", "response.published \(mine)"])
            #expect(gotB.map { "\($0.type) \($0.dataId)" } == ["response.received \(theirs)", "response.withheld \(theirs)"])
            // Signed with the subscription's secret (Standard Webhooks), in feed order, no private fields.
            #expect(gotA.allSatisfy { signatureVerifies($0, secret: subA.secret) })
            #expect(!gotA.contains { signatureVerifies($0, secret: "whsec_" + Data(repeating: 7, count: 24).base64EncodedString()) })
            let seqs = gotA.compactMap { $0.json["seq"] as? Int }
            #expect(seqs == seqs.sorted() && seqs.count == 2)
            #expect(gotA.allSatisfy { $0.json["id"] as? String == $0.headers["webhook-id"] && $0.headers["content-type"] == "application/json" })
            #expect(!gotA.contains { $0.body.contains("Jens") || $0.body.contains("jens@example.dk") || $0.body.contains("Åvej") })
            let data = try #require(gotA[0].json["data"] as? [String: any Sendable])
            #expect(data["href"] as? String == "/v1/responses/\(mine)" && data["resource"] as? String == "response")
            #expect(gotA[0].json["municipality_id"] as? String == m)
            // Nothing more arrives: B's withheld response is never A's business.
            try await Task.sleep(for: .milliseconds(200))
            #expect(receiver.received("/a").count == 3)
            let listed = try await deliveries(api, subA.id, token: a.bearer)
            #expect(listed.count == 3 && listed.allSatisfy { $0["status"] as? String == "delivered" && $0["attempts"] as? Int == 1 })
        }
    }

    @Test func failedAttemptsAreRetriedWithTheSameIdAndOtherFailuresEndAtOnce() async throws {
        try await withWebhooks { api, receiver, base in
            let (m, _) = try await seedMunicipality(api)
            receiver.script("/flaky", [(500, [:]), (429, ["Retry-After": "1"]), (200, [:])])
            receiver.script("/gone", [(410, [:])])
            receiver.script("/bad", [(400, [:])])
            receiver.script("/moved", [(302, ["Location": "http://10.0.0.1/hook"])])
            let admin = api.service.admin
            let flaky = try await subscribe(api, base + "/flaky", ["consultation.published"], token: admin)
            let gone = try await subscribe(api, base + "/gone", ["consultation.published"], token: admin)
            let bad = try await subscribe(api, base + "/bad", ["consultation.published"], token: admin)
            let moved = try await subscribe(api, base + "/moved", ["consultation.published"], token: admin)
            let draft = try await api.create("/v1/consultations", #"""
                {"municipality_id":"\#(m)","title":"Kladde","short_period_reason":"Test","opens_at":"\#(rfc3339(api.service.clock.now() + 60))","closes_at":"\#(rfc3339(api.service.clock.now() + 86_400))"}
                """#)
            try expectOK(try await api.patch("/v1/consultations/\(draft)", #"{"status":"published"}"#))

            _ = try await receiver.wait("/flaky", count: 1)
            for path in ["/gone", "/bad", "/moved"] { _ = try await receiver.wait(path, count: 1) }
            // Each retry waits on the service's clock: move it on and the next attempt goes out.
            for attempt in 2...3 {
                try await eventually { try await deliveries(api, flaky.id, token: admin).first?["attempts"] as? Int == attempt - 1 }
                await api.service.clock.advance(by: 3)  // the schedule's 1 s (+ jitter), or Retry-After's 1 s and a second's margin
                _ = try await receiver.wait("/flaky", count: attempt)
            }
            let tries = receiver.received("/flaky")
            #expect(tries.count == 3 && Set(tries.compactMap { $0.headers["webhook-id"] }).count == 1)
            try await eventually { try await deliveries(api, flaky.id, token: admin).first?["status"] as? String == "delivered" }
            let done = try #require(try await deliveries(api, flaky.id, token: admin).first)
            #expect(done["attempts"] as? Int == 3 && done["last_status_code"] as? Int == 200)

            // 410, 400 and a redirect (never followed, here to a private address) fail at the first attempt.
            for (id, code) in [(gone.id, 410), (bad.id, 400), (moved.id, 302)] {
                try await eventually { try await deliveries(api, id, token: admin).first?["status"] as? String == "failed" }
                let failed = try #require(try await deliveries(api, id, token: admin).first)
                #expect(failed["attempts"] as? Int == 1 && failed["last_status_code"] as? Int == code)
            }
            await api.service.clock.advance(by: 10)
            try await Task.sleep(for: .milliseconds(200))
            #expect(receiver.received("/gone").count == 1 && receiver.received("/moved").count == 1)
            #expect(receiver.received().allSatisfy { $0.path != "/hook" })
            let movedError = try #require(try await deliveries(api, moved.id, token: admin).first?["last_error"] as? String)
            #expect(movedError.contains("redirects are not followed"))

            // A failed delivery can be sent again, with its event id; a pending one cannot.
            let failedId = try #require(try await deliveries(api, gone.id, token: admin).first?["id"] as? String)
            receiver.script("/gone", [(204, [:])])
            let again = try await api.call(.post, "/v1/webhooks/deliveries/\(failedId)/redeliver", token: admin)
            #expect(again.status == .accepted && again.string("redelivery_of") == failedId && again.string("status") == "pending")
            let resent = try await receiver.wait("/gone", count: 2)
            #expect(resent[0].headers["webhook-id"] == resent[1].headers["webhook-id"])
            expectProblem(try await api.call(.post, "/v1/webhooks/deliveries/whd_nope/redeliver", token: admin), .notFound)
        }
    }

    @Test func aSubscriptionWhoseEveryAttemptFailsIsDisabledAndCanBeReenabled() async throws {
        try await withWebhooks(schedule: "1s,1s,1s,1s,1s,1s,1s,1s", disableAfter: 5) { api, receiver, base in
            let (m, _) = try await seedMunicipality(api)
            receiver.script("/down", [(503, [:])])
            let admin = api.service.admin
            let sub = try await subscribe(api, base + "/down", ["consultation.published"], token: admin)
            try await seedConsultation(api, municipality: m)
            _ = try await receiver.wait("/down", count: 1)
            for attempt in 2...4 {
                try await eventually { try await deliveries(api, sub.id, token: admin).first?["attempts"] as? Int == attempt - 1 }
                await api.service.clock.advance(by: 2)
                _ = try await receiver.wait("/down", count: attempt)
            }
            try await eventually { try await api.get("/v1/webhooks/\(sub.id)", token: admin).json["active"] as? Bool == false }
            let disabled = try await api.get("/v1/webhooks/\(sub.id)", token: admin)
            #expect((disabled.string("disabled_reason") ?? "").contains("failed"))
            expectProblem(try await api.call(.post, "/v1/webhooks/\(sub.id)/ping", token: admin), .conflict, "webhook-inactive")
            let sent = receiver.received("/down").count
            await api.service.clock.advance(by: 5)
            try await Task.sleep(for: .milliseconds(200))
            #expect(receiver.received("/down").count == sent)

            // Re-enabled, it resumes with the delivery it stopped at.
            receiver.script("/down", [(200, [:])])
            let enabled = try await api.patch("/v1/webhooks/\(sub.id)", #"{"active":true}"#, token: admin)
            #expect(enabled.status == .ok && enabled.json["active"] as? Bool == true && enabled.json["disabled_reason"] == nil)
            await api.service.clock.advance(by: 2)
            try await eventually { try await deliveries(api, sub.id, token: admin).first?["status"] as? String == "delivered" }
        }
    }

    @Test func urlsThatReachPrivateAddressesAreRefusedAtSubscriptionAndAtDelivery() async throws {
        let resolver = FakeResolver()
        resolver.set("loopback.medvirk.test", ["127.0.0.1"])
        resolver.set("mixed.medvirk.test", ["93.184.215.14", "10.1.2.3"])
        resolver.set("rebind.medvirk.test", ["93.184.215.14"])
        try await withWebhooks(allowPrivate: false, resolver: resolver) { api, _, _ in
            let (m, _) = try await seedMunicipality(api)
            let admin = api.service.admin
            for url in ["http://127.0.0.1/hook", "https://127.0.0.1/hook", "https://10.0.0.1/hook", "https://[::1]/hook",
                        "https://[::ffff:192.168.1.1]/hook", "https://169.254.169.254/latest", "https://loopback.medvirk.test/hook",
                        "https://mixed.medvirk.test/hook", "https://unknown.medvirk.test/hook", "ftp://example.org/hook",
                        "https://user:pw@example.org/hook", "not a url"] {
                let reply = try await api.call(.post, "/v1/webhooks", token: admin, body: #"{"url":"\#(url)","events":["consultation.published"]}"#)
                expectProblem(reply, .unprocessableContent)
                #expect(reply.fieldErrors == ["url"], "\(url): \(reply.text)")
            }
            #expect(try await api.get("/v1/webhooks", token: admin).data.isEmpty)

            // A name that resolved to a public address at subscription and to a private one at delivery (DNS
            // rebinding) is refused before any connection.
            let sub = try await subscribe(api, "https://rebind.medvirk.test/hook", ["consultation.published"], token: admin)
            resolver.set("rebind.medvirk.test", ["10.0.0.7"])
            try await seedConsultation(api, municipality: m)
            try await eventually { try await deliveries(api, sub.id, token: admin).first?["status"] as? String == "failed" }
            let failed = try #require(try await deliveries(api, sub.id, token: admin).first)
            #expect(failed["attempts"] as? Int == 1 && failed["last_status_code"] == nil)
            // Refused for good, without saying where the name points (internal names stay unmapped).
            let error = failed["last_error"] as? String ?? ""
            #expect(error.contains("public address") && !error.contains("10.0.0.7"))
            // Changing the URL is checked as subscribing is.
            let patched = try await api.patch("/v1/webhooks/\(sub.id)", #"{"url":"https://loopback.medvirk.test/x"}"#, token: admin)
            expectProblem(patched, .unprocessableContent)
            #expect(patched.fieldErrors == ["url"])
        }
    }

    @Test func aRotatedSecretSignsBesideTheNewOneForADay() async throws {
        try await withWebhooks { api, receiver, base in
            let partner = try await api.service.tokenWithId(.partner)
            let sub = try await subscribe(api, base + "/r", ["consultation.published"], token: partner.bearer)
            let rotated = try await api.call(.post, "/v1/webhooks/\(sub.id)/rotate-secret", token: partner.bearer)
            #expect(rotated.status == .ok)
            let secret = try #require(rotated.string("secret"))
            #expect(secret != sub.secret && secret.hasPrefix("whsec_") && rotated.string("previous_secret_expires_at") != nil)
            // The secret is never shown again.
            #expect(try await api.get("/v1/webhooks/\(sub.id)", token: partner.bearer).json["secret"] == nil)
            #expect(!(try await api.get("/v1/webhooks", token: partner.bearer).text.contains("whsec_")))

            try expectOK(try await api.call(.post, "/v1/webhooks/\(sub.id)/ping", token: partner.bearer))
            let first = try #require(try await receiver.wait("/r", count: 1).first)
            #expect(first.type == "webhook.ping" && first.headers["webhook-signature"]?.split(separator: " ").count == 2)
            #expect(signatureVerifies(first, secret: sub.secret) && signatureVerifies(first, secret: secret))

            await api.service.clock.advance(by: 86_401)
            try expectOK(try await api.call(.post, "/v1/webhooks/\(sub.id)/ping", token: partner.bearer))
            let second = try await receiver.wait("/r", count: 2)[1]
            #expect(second.headers["webhook-signature"]?.split(separator: " ").count == 1)
            #expect(signatureVerifies(second, secret: secret) && !signatureVerifies(second, secret: sub.secret))
        }
    }

    @Test func subscriptionsBelongToTheirTokenAndDieWithIt() async throws {
        try await withWebhooks { api, _, base in
            let (m, _) = try await seedMunicipality(api)
            let a = try await api.service.tokenWithId(.partner), b = try await api.service.tokenWithId(.partner)
            let scopedAdmin = try await api.service.token(.admin, [m])
            let sub = try await subscribe(api, base + "/x", ["consultation.opened"], token: a.bearer, extra: #","description":"Vores portal""#)
            let local = try await subscribe(api, base + "/y", ["consultation.opened"], token: a.bearer, extra: #","municipality_id":"\#(m)""#)
            expectProblem(try await api.get("/v1/webhooks"), .unauthorized)
            expectProblem(try await api.get("/v1/webhooks/\(sub.id)", token: b.bearer), .notFound)
            expectProblem(try await api.patch("/v1/webhooks/\(sub.id)", #"{"active":false}"#, token: b.bearer), .notFound)
            expectProblem(try await api.delete("/v1/webhooks/\(sub.id)", token: b.bearer), .notFound)
            #expect(try await api.get("/v1/webhooks", token: b.bearer).data.isEmpty)
            #expect(try await api.get("/v1/webhooks", token: a.bearer).data.count == 2)
            // An admin of the municipality sees the one for its municipality; an all-municipality admin both.
            #expect(try await api.get("/v1/webhooks", token: scopedAdmin).data.compactMap { $0["id"] as? String } == [local.id])
            #expect(try await api.get("/v1/webhooks/\(sub.id)", token: api.service.admin).status == .ok)

            // Bad settings are 422s naming the field.
            for (body, field) in [(#"{"url":"\#(base)/z","events":[]}"#, "events"),
                                  (#"{"url":"\#(base)/z","events":["consultation.opened"],"municipality_id":"nowhere"}"#, "municipality_id"),
                                  (#"{"url":"\#(base)/z","events":["consultation.opened"],"description":"\#(String(repeating: "x", count: 501))"}"#, "description")] {
                let reply = try await api.call(.post, "/v1/webhooks", token: a.bearer, body: body)
                expectProblem(reply, .unprocessableContent)
                #expect(reply.fieldErrors == [field], "\(reply.text)")
            }
            let unknown = try await api.call(.post, "/v1/webhooks", token: a.bearer, body: #"{"url":"\#(base)/z","events":["consultation.eaten"]}"#)
            expectProblem(unknown, .unprocessableContent)
            #expect(unknown.fieldErrors == ["events[0]"])

            // Paused and resumed by PATCH; revoking the token disables its subscriptions for good.
            let paused = try await api.patch("/v1/webhooks/\(sub.id)", #"{"active":false}"#, token: a.bearer)
            #expect(paused.json["active"] as? Bool == false && paused.string("disabled_reason") == "paused")
            #expect(try await api.service.store.revokeToken(a.id))
            let revoked = try await api.get("/v1/webhooks/\(local.id)", token: api.service.admin)
            #expect(revoked.json["active"] as? Bool == false && revoked.string("disabled_reason") == "token revoked")
            expectProblem(try await api.patch("/v1/webhooks/\(local.id)", #"{"active":true}"#, token: api.service.admin), .conflict, "token-revoked")
            #expect(try await api.delete("/v1/webhooks/\(local.id)", token: api.service.admin).status == .noContent)
            expectProblem(try await api.get("/v1/webhooks/\(local.id)", token: api.service.admin), .notFound)
        }
    }

    @Test func aWebsiteHearsTheClockOpenAndCloseConsultations() async throws {
        try await withWebhooks { api, receiver, base in
            let (m, _) = try await seedMunicipality(api)
            let website = try await api.service.token(.partner)
            _ = try await subscribe(api, base + "/site", ["consultation.opened", "consultation.closing_soon", "consultation.closed"], token: website)
            let id = try await seedConsultation(api, municipality: m, opensIn: 3600, closesIn: 5 * 86_400)
            await api.service.clock.advance(by: 3600)
            #expect(try await receiver.wait("/site", count: 1).map(\.type) == ["consultation.opened"])
            await api.service.clock.advance(by: 2 * 86_400)
            await api.service.clock.advance(by: 3 * 86_400)
            let got = try await receiver.wait("/site", count: 3)
            #expect(got.map(\.type) == ["consultation.opened", "consultation.closing_soon", "consultation.closed"])
            #expect(got.allSatisfy { $0.dataId == id })
            // Counted once each attempt is recorded, which follows the receiver's answer.
            try await eventually {
                let metrics = try await api.get("/metrics", token: api.service.admin).text
                return metrics.contains(#"medvirk_webhook_attempts_total{outcome="delivered"} 3"#)
                    && metrics.contains("medvirk_webhook_queue_depth_deliveries 0.0") && metrics.contains("medvirk_webhook_oldest_pending_age_seconds 0.0")
            }
        }
    }
}

/// Polls `condition` (real time, up to 15 s).
func eventually(_ condition: @escaping @Sendable () async throws -> Bool, sourceLocation: SourceLocation = #_sourceLocation) async throws {
    for _ in 0..<1500 {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(10))
    }
    Issue.record("the condition did not come true within 15 s", sourceLocation: sourceLocation)
}
