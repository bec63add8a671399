import Foundation
import GRDB
import Testing

@Suite struct ResponseTests {
    @Test func submissionGivesAReceiptAndReplaysExactly() async throws {
        try await withAPI { api in
            let (m, _) = try await seedMunicipality(api, id: "rudersdal")
            let id = try await seedConsultation(api, municipality: m)
            let partner = try await api.service.token(.partner)
            let first = try await submit(api, id, token: partner, key: "form-42")
            #expect(first.status == .created)
            let receipt = try #require(first.json["receipt"] as? [String: String])
            let number = try #require(receipt["number"])
            #expect(number.range(of: #"^RUD-\d{4}-000001$"#, options: .regularExpression) != nil)
            #expect(receipt["sha256"]?.count == 64)
            #expect(first["Location"] == "/v1/receipts/\(number)")
            #expect(first["Idempotency-Replayed"] == nil)

            let again = try await submit(api, id, token: partner, key: "form-42")
            #expect(again.status == .created)
            #expect(again.text == first.text)
            #expect(again["Idempotency-Replayed"] == "true")
            #expect(again["Location"] == first["Location"])

            expectProblem(try await submit(api, id, token: partner, key: "form-42", text: "Noget andet"), .unprocessableContent, "idempotency-key-reused")
            // Keys are scoped per token: another partner may use the same key.
            let other = try await api.service.token(.partner)
            let second = try await submit(api, id, token: other, key: "form-42")
            #expect(second.status == .created && (second.json["receipt_number"] as? String) != number)
            #expect(try await api.get("/v1/consultations/\(id)/responses", token: api.service.admin).data.count == 2)

            expectProblem(try await api.call(.post, "/v1/consultations/\(id)/responses", token: partner,
                                             body: #"{"respondent":{"kind":"citizen"},"text":"Hej"}"#), .badRequest)
            expectProblem(try await submit(api, id, token: partner, key: "has space"), .badRequest, "invalid-idempotency-key")
            expectProblem(try await submit(api, id, token: partner, key: String(repeating: "k", count: 256)), .badRequest)
            expectProblem(try await submit(api, id, token: partner, key: "blank", text: "   "), .unprocessableContent)
            expectProblem(try await submit(api, id, token: partner, key: "huge", text: String(repeating: "ø", count: 100_001)), .unprocessableContent)
            expectProblem(try await api.call(.post, "/v1/consultations/\(id)/responses", body: "{}", headers: ["Idempotency-Key": "a"]), .unauthorized)
        }
    }

    /// Receipt series run per year in the municipality's time zone, not UTC's: Copenhagen's new year starts
    /// at 23:00 UTC, Nuuk's (UTC-2) at 02:00 UTC on 1 January.
    @Test func receiptYearsFollowTheMunicipalityTimeZone() async throws {
        try await withAPI { api in
            let partner = try await api.service.token(.partner)
            func receipt(_ consultation: String, _ key: String) async throws -> String {
                let reply = try await submit(api, consultation, token: partner, key: key)
                try expectOK(reply)
                return try #require(reply.string("receipt_number"))
            }
            await api.service.clock.set(try Date("2026-12-31T22:30:00Z", strategy: .iso8601))
            let (m, _) = try await seedMunicipality(api, id: "rudersdal")
            let copenhagen = try await seedConsultation(api, municipality: m, closesIn: 3 * 86_400)
            _ = try await api.create("/v1/municipalities", #"{"id":"sermersooq","name":"Kommuneqarfik Sermersooq","country":"DK","time_zone":"America/Nuuk"}"#)
            let nuuk = try await seedConsultation(api, municipality: "sermersooq", closesIn: 3 * 86_400)

            #expect(try await receipt(copenhagen, "a") == "RUD-2026-000001")
            await api.service.clock.advance(by: 3600)  // 23:30 UTC: 00:30 in Copenhagen, 21:30 in Nuuk
            #expect(try await receipt(copenhagen, "b") == "RUD-2027-000001")
            #expect(try await receipt(nuuk, "c") == "SER-2026-000001")
            await api.service.clock.advance(by: 2 * 3600)  // 01:30 UTC on 1 January: still 23:30 on 31 December in Nuuk
            #expect(try await receipt(nuuk, "d") == "SER-2026-000002")
            await api.service.clock.advance(by: 3600)  // 02:30 UTC
            #expect(try await receipt(nuuk, "e") == "SER-2027-000001")
            await api.service.clock.advance(by: 86_400)  // 2 January
            #expect(try await receipt(copenhagen, "f") == "RUD-2027-000002")
            #expect(try await receipt(nuuk, "g") == "SER-2027-000002")
        }
    }

    @Test func idempotencyKeysLastTwentyFourHours() async throws {
        try await withAPI { api in
            let (m, _) = try await seedMunicipality(api)
            let id = try await seedConsultation(api, municipality: m, closesIn: 3 * 86_400)
            let partner = try await api.service.token(.partner)
            let first = try await submit(api, id, token: partner, key: "daily")
            await api.service.clock.advance(by: 24 * 3600 - 1)
            #expect(try await submit(api, id, token: partner, key: "daily").text == first.text)
            await api.service.clock.advance(by: 2)
            let fresh = try await submit(api, id, token: partner, key: "daily", text: "Et nyt svar")
            #expect(fresh.status == .created && fresh["Idempotency-Replayed"] == nil)
            #expect(fresh.string("receipt_number") != first.string("receipt_number"))
        }
    }

    /// A retry after moderation gets the answer its submission got, not the moderated response.
    @Test func aReplayAnswersWhatTheSubmissionWasAnswered() async throws {
        try await withAPI { api in
            let (m, _) = try await seedMunicipality(api)
            let id = try await seedConsultation(api, municipality: m)
            let partner = try await api.service.token(.partner)
            let first = try await submit(api, id, token: partner, key: "moderated", text: "Ring til mig på 12345678.")
            let response = try #require(first.string("id"))
            let moderated = try await api.patch("/v1/responses/\(response)", #"{"status":"published","redactions":["12345678"]}"#)
            try expectOK(moderated)
            #expect(moderated.string("public_text") == "Ring til mig på […]." && moderated.string("status") == "published")

            let again = try await submit(api, id, token: partner, key: "moderated", text: "Ring til mig på 12345678.")
            #expect(again.status == .created && again["Idempotency-Replayed"] == "true")
            #expect(again.text == first.text)
            #expect(again.string("status") == "received" && again.string("public_text") == "Ring til mig på 12345678.")
        }
    }

    /// Keys stored before migration 0006 kept the answer rendered at the time (JSONEncoder's default dates:
    /// seconds since 2001); a replay sends that answer.
    @Test func aStoredAnswerFromBeforeMigration6IsReplayedAsStored() async throws {
        try await withAPI { api in
            let (m, _) = try await seedMunicipality(api)
            let id = try await seedConsultation(api, municipality: m)
            let partner = try await api.service.token(.partner)
            let first = try await submit(api, id, token: partner, key: "old")
            func storedDate(_ text: Any?) throws -> Double {
                try Date(try #require(text as? String), strategy: .iso8601).timeIntervalSinceReferenceDate
            }
            var legacy = first.json
            legacy["text"] = "Som svaret blev gemt dengang."
            legacy["received_at"] = try storedDate(legacy["received_at"])
            legacy["updated_at"] = try storedDate(legacy["updated_at"])
            var receipt = try #require(legacy["receipt"] as? [String: any Sendable])
            receipt["received_at"] = try storedDate(receipt["received_at"])
            legacy["receipt"] = receipt
            let answer = try JSONSerialization.data(withJSONObject: legacy)
            // The server may be writing (a token's last use): wait for the lock as the server's connections do.
            var configuration = Configuration()
            configuration.busyMode = .timeout(10)
            let queue = try DatabaseQueue(path: api.service.store.path, configuration: configuration)
            try await queue.write { db in
                try db.execute(sql: "UPDATE idempotency_keys SET answer = ? WHERE key = 'old'", arguments: [answer])
            }
            try queue.close()

            let again = try await submit(api, id, token: partner, key: "old")
            #expect(again.status == .created && again["Idempotency-Replayed"] == "true")
            #expect(again.string("text") == "Som svaret blev gemt dengang.")
            #expect(again.string("id") == first.string("id") && again.string("received_at") == first.string("received_at"))
        }
    }

    @Test func concurrentDuplicatesAreStoredExactlyOnce() async throws {
        try await withAPI { api in
            let (m, _) = try await seedMunicipality(api)
            let id = try await seedConsultation(api, municipality: m)
            let partner = try await api.service.token(.partner)
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<12 {
                    group.addTask { try await submit(api, id, token: partner, key: "same-key").status.code }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.allSatisfy { $0 == 201 || $0 == 409 })
            #expect(statuses.contains(201))
            #expect(try await api.get("/v1/consultations/\(id)/responses", token: api.service.admin).data.count == 1)
        }
    }

    @Test func visibilityAndMunicipalityLimits() async throws {
        try await withAPI { api in
            let (m, _) = try await seedMunicipality(api)
            let (n, _) = try await seedMunicipality(api, id: "andenby")
            let id = try await seedConsultation(api, municipality: m)
            expectProblem(try await submit(api, id, token: try await api.service.token(.partner, [n]), key: "k"), .forbidden)
            #expect(try await submit(api, id, token: try await api.service.token(.partner, [m]), key: "k").status == .created)
            let now = api.service.clock.now()
            let draft = try await api.create("/v1/consultations", #"{"municipality_id":"\#(m)","title":"Kladde","opens_at":"\#(rfc3339(now - 60))","closes_at":"\#(rfc3339(now + 60))"}"#)
            expectProblem(try await submit(api, draft, token: try await api.service.token(.partner), key: "k"), .notFound)
            expectProblem(try await submit(api, "hor_nothere", token: try await api.service.token(.partner), key: "k"), .notFound)
        }
    }

    @Test func invitedConsultationsTakeOnlyTheirParties() async throws {
        try await withAPI { api in
            let (m, _) = try await seedMunicipality(api)
            let council = try await seedCouncil(api, municipality: m, name: "Testby Ældreråd")
            let id = try await seedConsultation(api, municipality: m, extra: #","audience":"invited""#)
            let invited = try await api.service.tokenWithId(.partner)
            let stranger = try await api.service.token(.partner)
            let party = try await api.create("/v1/consultations/\(id)/parties",
                                             #"{"name":"Testby Ældreråd","kind":"council","council_id":"\#(council)","partner_token_id":"\#(invited.id)"}"#)
            let otherParty = try await api.create("/v1/consultations/\(id)/parties", #"{"name":"Handicaprådet","kind":"organisation"}"#)

            expectProblem(try await submit(api, id, token: stranger, key: "s", extra: #","party_id":"\#(party)""#), .forbidden)
            expectProblem(try await submit(api, id, token: invited.bearer, key: "a"), .unprocessableContent)
            expectProblem(try await submit(api, id, token: invited.bearer, key: "b", extra: #","party_id":"\#(otherParty)""#), .forbidden)
            expectProblem(try await submit(api, id, token: invited.bearer, key: "c", extra: #","party_id":"pty_nothere""#), .unprocessableContent)
            #expect(try await submit(api, id, token: invited.bearer, key: "d", extra: #","party_id":"\#(party)""#).status == .created)

            let parties = try await api.get("/v1/consultations/\(id)/parties")
            let responded = Dictionary(uniqueKeysWithValues: parties.data.map { ($0["id"] as! String, $0["responded"] as! Bool) })
            #expect(responded == [party: true, otherParty: false])
            #expect(parties.data.allSatisfy { $0["partner_token_id"] == nil && $0["council_id"] == nil })
            let adminView = try await api.get("/v1/consultations/\(id)/parties/\(party)", token: api.service.admin)
            #expect(adminView.string("partner_token_id") == invited.id && adminView.string("council_id") == council)

            expectProblem(try await api.delete("/v1/consultations/\(id)/parties/\(party)"), .conflict, "party-has-responded")
            #expect(try await api.delete("/v1/consultations/\(id)/parties/\(otherParty)").status == .noContent)
            let bad = try await api.call(.post, "/v1/consultations/\(id)/parties", token: api.service.admin,
                                         body: #"{"name":"X","kind":"council","council_id":"cou_nothere","partner_token_id":"nothere"}"#)
            #expect(Set(bad.fieldErrors) == ["council_id", "partner_token_id"])
        }
    }

    @Test func moderationRedactionAndPublicationTiming() async throws {
        try await withAPI { api in
            let (m, _) = try await seedMunicipality(api)
            let id = try await seedConsultation(api, municipality: m, closesIn: 3600, extra: #","publish_responses":"after_deadline""#)
            let partner = try await api.service.token(.partner)
            let flagged = try await submit(api, id, token: partner, key: "1", text: "Ring til mig, CPR 010190-1234. Tak.")
            #expect(flagged.json["contains_national_id"] as? Bool == true)
            let responseId = try #require(flagged.string("id"))
            let anonymousOnly = try await api.call(.post, "/v1/consultations/\(id)/responses", token: partner, body: #"""
                {"respondent":{"kind":"organisation","name":"Hemmelig Hansen","organisation":"Grundejerforeningen","email":"x@example.dk","address":"Vej 1","publish_name":false},"text":"Vi er imod."}
                """#, headers: ["Idempotency-Key": "2"])
            let quietId = try #require(anonymousOnly.string("id"))

            expectProblem(try await api.patch("/v1/responses/\(responseId)", #"{"status":"published"}"#), .unprocessableContent)
            expectProblem(try await api.patch("/v1/responses/\(responseId)", #"{"redactions":["not in the text"]}"#), .unprocessableContent)
            expectProblem(try await api.patch("/v1/responses/\(responseId)", #"{"status":"withheld"}"#), .unprocessableContent)
            let published = try await api.patch("/v1/responses/\(responseId)", #"{"status":"published","redactions":["010190-1234"]}"#)
            #expect(published.status == .ok)
            #expect(published.string("public_text") == "Ring til mig, CPR […]. Tak.")
            #expect(try await api.patch("/v1/responses/\(quietId)", #"{"status":"published"}"#).status == .ok)
            expectProblem(try await api.patch("/v1/responses/\(quietId)", #"{"status":"received"}"#), .unprocessableContent)

            // after_deadline: nothing public until the deadline has passed.
            #expect(try await api.get("/v1/consultations/\(id)/responses").data.isEmpty)
            await api.service.clock.advance(by: 3600)
            let visible = try await api.get("/v1/consultations/\(id)/responses")
            #expect(visible.data.count == 2)
            #expect(!visible.text.contains("@example.dk") && !visible.text.contains("Vej 1") && !visible.text.contains("Åvej 3"))
            #expect(!visible.text.contains("010190-1234") && !visible.text.contains("Hemmelig Hansen"))
            #expect(visible.text.contains("Jens Hansen") && visible.text.contains("Grundejerforeningen"))
            #expect(visible.data.allSatisfy { $0["id"] != nil && $0["status"] == nil && $0["withheld_reason"] == nil })
            expectProblem(try await api.get("/v1/consultations/\(id)/responses?status=published"), .forbidden)

            let withheld = try await api.patch("/v1/responses/\(quietId)", #"{"status":"withheld","withheld_reason":"Injurierende"}"#)
            #expect(withheld.string("withheld_reason") == "Injurierende")
            #expect(try await api.get("/v1/consultations/\(id)/responses").data.count == 1)
            #expect(try await api.get("/v1/consultations/\(id)/responses?status=withheld", token: api.service.admin).data.count == 1)
            let counts = try await api.get("/v1/consultations/\(id)").json["response_counts"] as? [String: Int]
            #expect(counts == ["received": 2, "published": 1])
            // The submitting token still reads its own withheld response; another partner does not.
            #expect(try await api.get("/v1/responses/\(quietId)", token: partner).string("status") == "withheld")
            expectProblem(try await api.get("/v1/responses/\(quietId)", token: try await api.service.token(.partner)), .notFound)
        }
    }

    @Test func onApprovalPublishesAtOnceAndNeverPublishesNothing() async throws {
        try await withAPI { api in
            let (m, _) = try await seedMunicipality(api)
            let partner = try await api.service.token(.partner)
            let open = try await seedConsultation(api, municipality: m, extra: #","publish_responses":"on_approval""#)
            let a = try #require(try await submit(api, open, token: partner, key: "a").string("id"))
            _ = try await api.patch("/v1/responses/\(a)", #"{"status":"published"}"#)
            #expect(try await api.get("/v1/consultations/\(open)/responses").data.count == 1)
            let never = try await seedConsultation(api, municipality: m, extra: #","publish_responses":"never""#)
            let b = try #require(try await submit(api, never, token: partner, key: "b").string("id"))
            expectProblem(try await api.patch("/v1/responses/\(b)", #"{"status":"published"}"#), .conflict, "publication-disabled")
        }
    }

    @Test func receiptsAndWithdrawalBelongToTheSubmitter() async throws {
        try await withAPI { api in
            let (m, _) = try await seedMunicipality(api)
            let id = try await seedConsultation(api, municipality: m, closesIn: 600, extra: #","late_policy":"accept_flagged""#)
            let partner = try await api.service.token(.partner)
            let reply = try await submit(api, id, token: partner, key: "w")
            let number = try #require(reply.string("receipt_number"))
            let receipt = try await api.get("/v1/receipts/\(number)", token: partner)
            #expect(receipt.string("status") == "received" && receipt.json["late"] as? Bool == false)
            expectProblem(try await api.get("/v1/receipts/\(number)", token: try await api.service.token(.partner)), .notFound)
            expectProblem(try await api.get("/v1/receipts/\(number)"), .unauthorized)
            expectProblem(try await api.call(.post, "/v1/receipts/\(number)/withdraw", token: try await api.service.token(.partner)), .notFound)

            let withdrawn = try await api.call(.post, "/v1/receipts/\(number)/withdraw", token: partner)
            #expect(withdrawn.status == .ok && withdrawn.string("status") == "withdrawn")
            let responseId = try #require(reply.string("id"))
            expectProblem(try await api.patch("/v1/responses/\(responseId)", #"{"status":"published"}"#), .conflict, "response-withdrawn")
            #expect(try await api.get("/v1/consultations/\(id)/responses?status=withdrawn", token: api.service.admin).data.count == 1)
            let audit = try await api.get("/v1/admin/audit", token: api.service.admin).data
            #expect(audit.contains { ($0["path"] as? String)?.hasSuffix("/withdraw") == true })

            let late = try await submit(api, id, token: partner, key: "x")
            await api.service.clock.advance(by: 601)
            expectProblem(try await api.call(.post, "/v1/receipts/\(late.string("receipt_number")!)/withdraw", token: partner),
                          .conflict, "consultation-closed")
        }
    }
}
