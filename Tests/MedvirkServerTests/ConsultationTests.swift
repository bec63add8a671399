import Foundation
import Testing

@Suite struct ConsultationTests {
    @Test func draftsAreAdminOnlyAndTheLifecycleIsEnforced() async throws {
        try await withAPI { api in
            let (m, _) = try await seedMunicipality(api)
            let now = api.service.clock.now()
            let id = try await api.create("/v1/consultations", #"""
                {"municipality_id":"\#(m)","short_period_reason":"Kort frist i testen","title":"Budget 2027","opens_at":"\#(rfc3339(now + 60))","closes_at":"\#(rfc3339(now + 3600))",
                 "case_number":"14/8857","documents":[{"title":"Forslag","url":"https://testby.dk/forslag.pdf"}],"tags":["budget"]}
                """#)
            expectProblem(try await api.get("/v1/consultations/\(id)"), .notFound)
            expectProblem(try await api.get("/v1/consultations/\(id)", token: try await api.service.token(.partner)), .notFound)
            #expect(try await api.get("/v1/consultations").data.isEmpty)
            let draft = try await api.get("/v1/consultations/\(id)", token: api.service.admin)
            #expect(draft.string("status") == "draft" && draft.string("phase") == "upcoming" && draft.string("case_number") == "14/8857")
            #expect(try await api.get("/v1/consultations", token: api.service.admin).data.count == 1)

            expectProblem(try await api.patch("/v1/consultations/\(id)", #"{"status":"concluded"}"#), .conflict, "invalid-transition")
            #expect(try await api.patch("/v1/consultations/\(id)", #"{"status":"published"}"#).status == .ok)
            #expect(try await api.get("/v1/consultations/\(id)").string("status") == "published")
            expectProblem(try await api.delete("/v1/consultations/\(id)"), .conflict, "consultation-not-draft")

            expectProblem(try await api.patch("/v1/consultations/\(id)", #"{"closes_at":"\#(rfc3339(now + 1800))"}"#), .conflict, "deadline-brought-forward")
            #expect(try await api.patch("/v1/consultations/\(id)", #"{"closes_at":"\#(rfc3339(now + 7200))"}"#).status == .ok)
            #expect(try await api.patch("/v1/consultations/\(id)", #"{"opens_at":"\#(rfc3339(now + 120))"}"#).status == .ok, "not open yet")
            await api.service.clock.advance(by: 130)
            expectProblem(try await api.patch("/v1/consultations/\(id)", #"{"opens_at":"\#(rfc3339(now + 125))"}"#), .conflict, "already-open")

            expectProblem(try await api.patch("/v1/consultations/\(id)", #"{"status":"concluded","conclusion":{"summary":"Vedtaget"}}"#),
                          .conflict, "consultation-still-open")
            await api.service.clock.advance(by: 7200)
            expectProblem(try await api.patch("/v1/consultations/\(id)", #"{"status":"concluded"}"#), .unprocessableContent)
            let concluded = try await api.patch("/v1/consultations/\(id)", #"{"status":"concluded","conclusion":{"summary":"Vedtaget med ændringer","memo_url":"https://testby.dk/notat.pdf"}}"#)
            #expect(concluded.status == .ok)
            let conclusion = concluded.json["conclusion"] as? [String: String]
            #expect(conclusion?["summary"] == "Vedtaget med ændringer" && conclusion?["concluded_at"] != nil)
            expectProblem(try await api.patch("/v1/consultations/\(id)", #"{"status":"published"}"#), .conflict)
            expectProblem(try await api.patch("/v1/consultations/\(id)", #"{"title":"Renamed"}"#), .conflict, "consultation-final")
            #expect(try await api.get("/v1/consultations/\(id)").string("status") == "concluded")
        }
    }

    @Test func withdrawnConsultationsDisappearAndDraftsCanBeDeleted() async throws {
        try await withAPI { api in
            let (m, _) = try await seedMunicipality(api)
            let published = try await seedConsultation(api, municipality: m)
            #expect(try await api.patch("/v1/consultations/\(published)", #"{"status":"withdrawn"}"#).status == .ok)
            expectProblem(try await api.get("/v1/consultations/\(published)"), .notFound)
            expectProblem(try await api.patch("/v1/consultations/\(published)", #"{"status":"published"}"#), .conflict)
            let now = api.service.clock.now()
            let draft = try await api.create("/v1/consultations", #"{"municipality_id":"\#(m)","short_period_reason":"Kort frist i testen","title":"X","opens_at":"\#(rfc3339(now))","closes_at":"\#(rfc3339(now + 60))"}"#)
            #expect(try await api.delete("/v1/consultations/\(draft)").status == .noContent)
            expectProblem(try await api.get("/v1/consultations/\(draft)", token: api.service.admin), .notFound)
        }
    }

    @Test func rulesOnFields() async throws {
        try await withAPI { api in
            let (m, _) = try await seedMunicipality(api)
            let now = api.service.clock.now()
            let backwards = try await api.call(.post, "/v1/consultations", token: api.service.admin, body: #"""
                {"municipality_id":"\#(m)","title":"X","opens_at":"\#(rfc3339(now + 60))","closes_at":"\#(rfc3339(now))",
                 "documents":[{"title":"Doc","url":"not a url"}]}
                """#)
            expectProblem(backwards, .unprocessableContent)
            #expect(Set(backwards.fieldErrors) == ["closes_at", "documents[0].url"])
            expectProblem(try await api.call(.post, "/v1/consultations", token: api.service.admin,
                                             body: #"{"municipality_id":"\#(m)","title":"X","opens_at":"yesterday","closes_at":"\#(rfc3339(now))"}"#), .badRequest)
            let concluded = try await api.call(.post, "/v1/consultations", token: api.service.admin,
                                               body: #"{"municipality_id":"\#(m)","title":"X","status":"concluded","opens_at":"\#(rfc3339(now))","closes_at":"\#(rfc3339(now + 60))"}"#)
            #expect(concluded.fieldErrors == ["status"])
        }
    }

    @Test func phaseChangesExactlyAtOpeningAndDeadline() async throws {
        try await withAPI { api in
            let (m, _) = try await seedMunicipality(api)
            let clock = api.service.clock
            let opens = Date(timeIntervalSince1970: (clock.now().timeIntervalSince1970 / 60).rounded(.down) * 60 + 3600)
            let closes = opens + 86_400
            let id = try await api.create("/v1/consultations", #"{"municipality_id":"\#(m)","short_period_reason":"Kort frist i testen","title":"Fase","status":"published","opens_at":"\#(rfc3339(opens))","closes_at":"\#(rfc3339(closes))"}"#)
            func phase() async throws -> String? { try await api.get("/v1/consultations/\(id)").string("phase") }
            func listed(_ phase: String) async throws -> Int { try await api.get("/v1/consultations?phase=\(phase)").data.count }
            let partner = try await api.service.token(.partner)

            await clock.set(opens - 0.001)
            #expect(try await phase() == "upcoming")
            #expect(try await listed("upcoming") == 1)
            #expect(try await listed("open") == 0)
            expectProblem(try await submit(api, id, token: partner, key: "early"), .conflict, "consultation-not-open")
            await clock.set(opens)
            #expect(try await phase() == "open")
            #expect(try await listed("open") == 1)
            #expect(try await submit(api, id, token: partner, key: "on-time").status == .created)
            await clock.set(closes - 0.001)
            #expect(try await phase() == "open")
            await clock.set(closes)
            #expect(try await phase() == "closed")
            #expect(try await listed("closed") == 1)
            #expect(try await listed("open") == 0)
            expectProblem(try await submit(api, id, token: partner, key: "late"), .conflict, "consultation-closed")
        }
    }

    @Test func lateResponsesAreFlaggedWhenThePolicyAcceptsThem() async throws {
        try await withAPI { api in
            let (m, _) = try await seedMunicipality(api)
            let id = try await seedConsultation(api, municipality: m, closesIn: 60, extra: #","late_policy":"accept_flagged""#)
            let partner = try await api.service.token(.partner)
            #expect(try await submit(api, id, token: partner, key: "k1").json["late"] as? Bool == false)
            await api.service.clock.advance(by: 61)
            let late = try await submit(api, id, token: partner, key: "k2")
            #expect(late.status == .created && late.json["late"] as? Bool == true)
        }
    }

    @Test func searchFiltersAndNordicLetters() async throws {
        try await withAPI { api in
            let (m, area) = try await seedMunicipality(api)
            try await seedConsultation(api, municipality: m, extra: #","body":"Ny sti ved Ørnereden og Æblehaven","service_area_id":"\#(area)""#)
            try await seedConsultation(api, municipality: m, extra: #","body":"Budget for skoler""#)
            func titles(_ query: String) async throws -> Int { try await api.get("/v1/consultations?\(query)").data.count }
            #expect(try await titles("q=%C3%B8rne") == 1)
            #expect(try await titles("q=%C3%86BLE") == 1)
            #expect(try await titles("q=%C3%A5vej") == 2)
            #expect(try await titles("service_area=\(area)") == 1)
            #expect(try await titles("municipality=nowhere") == 0)
            expectProblem(try await api.get("/v1/consultations?phase=soon"), .badRequest)
        }
    }

    @Test func deadlineCalendarIsValidICalendar() async throws {
        try await withAPI { api in
            let (m, _) = try await seedMunicipality(api)
            let now = api.service.clock.now()
            let open = try await api.create("/v1/consultations", #"""
                {"municipality_id":"\#(m)","short_period_reason":"Kort frist i testen","title":"Høring; med komma, semikolon og en meget lang titel der skal foldes over flere linjer i kalenderen æøå",
                 "status":"published","opens_at":"\#(rfc3339(now - 60))","closes_at":"\#(rfc3339(now + 3600))"}
                """#)
            let closed = try await seedConsultation(api, municipality: m, opensIn: -7200, closesIn: -3600)
            let reply = try await api.get("/v1/consultations.ics?municipality=\(m)")
            #expect(reply.status == .ok && reply["Content-Type"]?.hasPrefix("text/calendar") == true)
            #expect(reply["ETag"] != nil)
            #expect(reply.text.hasPrefix("BEGIN:VCALENDAR\r\n") && reply.text.hasSuffix("END:VCALENDAR\r\n"))
            #expect(reply.text.contains("UID:\(open)@medvirk"))
            #expect(!reply.text.contains(closed))
            #expect(reply.text.contains("\\;") && reply.text.contains("\\,"))
            let lines = reply.text.components(separatedBy: "\r\n")
            #expect(lines.allSatisfy { $0.utf8.count <= 75 })
            #expect(!reply.text.replacingOccurrences(of: "\r\n", with: "").contains("\n"), "only CRLF line ends")
            #expect(lines.contains { $0.hasPrefix("DTSTART:") && $0.hasSuffix("Z") })
            #expect(try await api.get("/v1/consultations.ics?municipality=\(m)", headers: ["If-None-Match": reply["ETag"]!]).status == .notModified)
        }
    }
}
