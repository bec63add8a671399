import Foundation
import MedvirkCore
import MedvirkStore
import Testing

/// Issue 17: themes, per-response analysis, "no comments" answers, statistics, the hearing memo in four
/// formats and three languages, its publication and retraction, the hearing-period rule and retention.
@Suite struct HearingMemoTests {
    /// A consultation open now (closing in a day) with three parties, two themes and responses: a party's
    /// "no comments", a citizen who hides her name, and an organisation. Returns its id, the themes and the
    /// response ids.
    struct Hearing {
        var id: String
        var themes: [String]
        var responses: [String]
        var partner: String
    }

    static func hearing(_ api: API, municipality: String = "testby", country: String = "DK") async throws -> Hearing {
        let (m, _) = try await seedMunicipality(api, id: municipality, country: country)
        let id = try await seedConsultation(api, municipality: m, extra: #","case_number":"14/8857","memo_introduction":"Indledning her.","memo_recommendation":"Vi anbefaler forslaget.""#)
        let partner = try await api.service.token(.partner, [m])
        var parties: [String] = []
        for name in ["Ældrerådet", "Aabenraa Vinterbadere", "Zealand Kajak"] {
            parties.append(try await api.create("/v1/consultations/\(id)/parties", #"{"name":"\#(name)","kind":"organisation"}"#))
        }
        let themes = [try await api.create("/v1/consultations/\(id)/themes", #"{"title":"Trafik"}"#),
                      try await api.create("/v1/consultations/\(id)/themes", #"{"title":"Træer","description":"Beplantning"}"#)]
        var responses: [String] = []
        let none = try await api.call(.post, "/v1/consultations/\(id)/responses", token: partner, body: #"""
            {"respondent":{"kind":"organisation","organisation":"Aabenraa Vinterbadere"},"answer_type":"no_comments","party_id":"\#(parties[1])"}
            """#, headers: ["Idempotency-Key": "none"])
        #expect(none.status == .created, "\(none.text)")
        #expect(none.string("answer_type") == "no_comments" && none.string("text") == "")
        responses.append(try #require(none.string("id")))
        let hidden = try await api.call(.post, "/v1/consultations/\(id)/responses", token: partner, body: #"""
            {"respondent":{"kind":"citizen","name":"Skjult Borger","email":"skjult@example.dk","address":"Åvej 1","publish_name":false},"text":"For mange biler."}
            """#, headers: ["Idempotency-Key": "hidden"])
        responses.append(try #require(hidden.string("id")))
        let council = try await api.call(.post, "/v1/consultations/\(id)/responses", token: partner, body: #"""
            {"respondent":{"kind":"council","name":"Else Ældre","organisation":"Ældrerådet","publish_name":true},"text":"Plant flere træer.","party_id":"\#(parties[0])"}
            """#, headers: ["Idempotency-Key": "council"])
        responses.append(try #require(council.string("id")))
        return Hearing(id: id, themes: themes, responses: responses, partner: partner)
    }

    @Test func themesAreNumberedLikeAgendaItemsAndAThemeInUseStays() async throws {
        try await withAPI { api in
            let h = try await Self.hearing(api)
            var list = try await api.get("/v1/consultations/\(h.id)/themes", token: api.service.admin)
            #expect(list.data.map { $0["position"] as? Int } == [1, 2])
            let third = try await api.create("/v1/consultations/\(h.id)/themes", #"{"title":"Støj","position":1}"#)
            list = try await api.get("/v1/consultations/\(h.id)/themes", token: api.service.admin)
            #expect(list.data.map { $0["id"] as? String } == [third, h.themes[0], h.themes[1]])
            #expect(list.data.map { $0["position"] as? Int } == [1, 2, 3])
            try expectOK(try await api.patch("/v1/themes/\(third)", #"{"position":3,"title":"Støj og larm"}"#))
            list = try await api.get("/v1/consultations/\(h.id)/themes", token: api.service.admin)
            #expect(list.data.map { $0["id"] as? String } == [h.themes[0], h.themes[1], third])
            // Admins only: anonymous callers are asked for a token, partners refused, other municipalities' admins too.
            expectProblem(try await api.get("/v1/consultations/\(h.id)/themes"), .unauthorized)
            expectProblem(try await api.get("/v1/consultations/\(h.id)/themes", token: h.partner), .forbidden)
            _ = try await seedMunicipality(api, id: "andetby")
            let other = try await api.service.token(.admin, ["andetby"])
            expectProblem(try await api.get("/v1/themes/\(third)", token: other), .forbidden)
            expectProblem(try await api.get("/v1/themes/thm_nosuchtheme"), .notFound)
            expectProblem(try await api.call(.post, "/v1/consultations/\(h.id)/themes", token: api.service.admin, body: #"{"title":"CPR 120385-1233"}"#),
                          .unprocessableContent)
            // In use: 409 until the analysis lets go of it.
            try expectOK(try await api.patch("/v1/responses/\(h.responses[1])", #"{"analysis":{"summary":"Biler","theme_ids":["\#(third)"]}}"#))
            expectProblem(try await api.delete("/v1/themes/\(third)"), .conflict, "theme-in-use")
            try expectOK(try await api.patch("/v1/responses/\(h.responses[1])", #"{"analysis":{"theme_ids":[]}}"#))
            #expect(try await api.delete("/v1/themes/\(third)").status == .noContent)
            #expect(try await api.get("/v1/consultations/\(h.id)/themes", token: api.service.admin).data.count == 2)
        }
    }

    @Test func theAnalysisIsPrivateMergedCheckedAndOnlyInTheAdminsFeed() async throws {
        try await withAPI { api in
            let h = try await Self.hearing(api)
            let response = h.responses[2]
            try expectOK(try await api.patch("/v1/responses/\(response)", #"{"status":"published"}"#))
            let before = try await api.get("/v1/changes?after=0&limit=200")
            let last = (before.data.last?["seq"] as? Int) ?? 0
            let reply = try await api.patch("/v1/responses/\(response)", #"""
                {"analysis":{"summary":"Ønsker træer","theme_ids":["\#(h.themes[1])"],"assessment":"Vi planter 20 træer.","accommodated":"yes"}}
                """#)
            try expectOK(reply)
            let analysis = try #require(reply.json["analysis"] as? [String: any Sendable])
            #expect(analysis["summary"] as? String == "Ønsker træer" && analysis["accommodated"] as? String == "yes")
            // Merge patch: only the named field changes.
            let merged = try await api.patch("/v1/responses/\(response)", #"{"analysis":{"accommodated":"partly"}}"#)
            let after = try #require(merged.json["analysis"] as? [String: any Sendable])
            #expect(after["summary"] as? String == "Ønsker træer" && after["accommodated"] as? String == "partly")
            #expect(after["theme_ids"] as? [String] == [h.themes[1]])
            // Private: neither the public nor the submitter sees it.
            #expect(try await api.get("/v1/responses/\(response)").json["analysis"] == nil)
            #expect(try await api.get("/v1/responses/\(response)", token: h.partner).json["analysis"] == nil)
            #expect(try await api.get("/v1/responses/\(response)", token: api.service.admin).json["analysis"] != nil)
            // The public feed has nothing new; the admins' feed has the updates.
            #expect(try await api.get("/v1/changes?after=\(last)").data.isEmpty)
            let adminFeed = try await api.get("/v1/changes?after=\(last)", token: api.service.admin).data
            #expect(adminFeed.contains { $0["id"] as? String == response && $0["action"] as? String == "updated" })
            // Audited.
            let audit = try await api.get("/v1/admin/audit", token: api.service.admin).data
            #expect(audit.contains { $0["resource_id"] as? String == response && $0["method"] as? String == "PATCH" })
            // Errors name the field.
            let other = try await seedConsultation(api, municipality: "testby")
            let foreign = try await api.create("/v1/consultations/\(other)/themes", #"{"title":"Andet"}"#)
            let wrongTheme = try await api.patch("/v1/responses/\(response)", #"{"analysis":{"theme_ids":["\#(foreign)"]}}"#)
            expectProblem(wrongTheme, .unprocessableContent)
            #expect(wrongTheme.fieldErrors == ["analysis.theme_ids[0]"])
            let cpr = try await api.patch("/v1/responses/\(response)", #"{"analysis":{"assessment":"Ring til 120385-1233"}}"#)
            expectProblem(cpr, .unprocessableContent)
            #expect(cpr.fieldErrors == ["analysis.assessment"])
            let badValue = try await api.patch("/v1/responses/\(response)", #"{"analysis":{"accommodated":"maybe"}}"#)
            expectProblem(badValue, .unprocessableContent)
            #expect(badValue.fieldErrors == ["analysis.accommodated"])
            let tooLong = try await api.patch("/v1/responses/\(response)", #"{"analysis":{"summary":"\#(String(repeating: "a", count: 5001))"}}"#)
            #expect(tooLong.fieldErrors == ["analysis.summary"])
            // null removes it.
            let removed = try await api.patch("/v1/responses/\(response)", #"{"analysis":null}"#)
            try expectOK(removed)
            #expect(removed.json["analysis"] == nil && removed.string("id") == response)
        }
    }

    @Test func noCommentsAnswersNeedNoTextButOthersDo() async throws {
        try await withAPI { api in
            let (m, _) = try await seedMunicipality(api)
            let id = try await seedConsultation(api, municipality: m)
            let partner = try await api.service.token(.partner, [m])
            let missing = try await api.call(.post, "/v1/consultations/\(id)/responses", token: partner,
                                             body: #"{"respondent":{"kind":"citizen"}}"#, headers: ["Idempotency-Key": "a"])
            expectProblem(missing, .unprocessableContent)
            #expect(missing.fieldErrors == ["text"])
            let blank = try await api.call(.post, "/v1/consultations/\(id)/responses", token: partner,
                                           body: #"{"respondent":{"kind":"citizen"},"text":"  ","answer_type":"with_comments"}"#, headers: ["Idempotency-Key": "b"])
            #expect(blank.fieldErrors == ["text"])
            let none = try await api.call(.post, "/v1/consultations/\(id)/responses", token: partner,
                                          body: #"{"respondent":{"kind":"authority","organisation":"Vejdirektoratet"},"answer_type":"no_comments"}"#,
                                          headers: ["Idempotency-Key": "c"])
            #expect(none.status == .created)
            let badType = try await api.call(.post, "/v1/consultations/\(id)/responses", token: partner,
                                             body: #"{"respondent":{"kind":"citizen"},"text":"x","answer_type":"maybe"}"#, headers: ["Idempotency-Key": "d"])
            expectProblem(badType, .unprocessableContent)
            // The public view says so too, and the export has a column for it.
            let rid = try #require(none.string("id"))
            try expectOK(try await api.patch("/v1/responses/\(rid)", #"{"status":"published"}"#))
            #expect(try await api.get("/v1/responses/\(rid)").string("answer_type") == "no_comments")
        }
    }

    @Test func publicStatisticsCountOnlyPublishedResponses() async throws {
        try await withAPI { api in
            let h = try await Self.hearing(api)
            let publicBefore = try await api.get("/v1/consultations/\(h.id)/statistics")
            #expect(publicBefore.string("scope") == "public" && publicBefore.json["responses"] as? Int == 0)
            #expect(publicBefore.json["withdrawn"] == nil && publicBefore.json["by_theme"] == nil)
            let parties = try #require(publicBefore.json["parties"] as? [String: Int])
            // Exactly what the public party list shows.
            let list = try await api.get("/v1/consultations/\(h.id)/parties").data
            #expect(parties["invited"] == list.count && parties["responded"] == list.filter { $0["responded"] as? Bool == true }.count)
            // A response that is not published changes no public response count.
            _ = try await submit(api, h.id, token: h.partner, key: "extra")
            let publicAfter = try await api.get("/v1/consultations/\(h.id)/statistics")
            #expect(publicAfter.json["responses"] as? Int == 0)
            #expect(publicAfter.json["by_respondent_kind"] as? [[String: any Sendable]] == nil
                    || (publicAfter.json["by_respondent_kind"] as? [[String: any Sendable]] ?? []).allSatisfy { $0["count"] as? Int == 0 })
            try expectOK(try await api.patch("/v1/responses/\(h.responses[2])", #"{"status":"published"}"#))
            #expect(try await api.get("/v1/consultations/\(h.id)/statistics").json["responses"] as? Int == 1)
            let admin = try await api.get("/v1/consultations/\(h.id)/statistics", token: api.service.admin)
            #expect(admin.string("scope") == "admin" && admin.json["responses"] as? Int == 4)
            let byType = try #require(admin.json["by_answer_type"] as? [[String: any Sendable]])
            #expect(byType.first { $0["key"] as? String == "no_comments" }?["count"] as? Int == 1)
            #expect(admin.json["withdrawn"] as? Int == 0)
            let csv = try await api.get("/v1/consultations/\(h.id)/statistics?format=csv", token: api.service.admin)
            #expect(csv["Content-Type"]?.hasPrefix("text/csv") == true)
            #expect(csv.text.hasPrefix("\u{FEFF}\"dimension\",\"key\",\"label\",\"count\"\r\n\"responses\",\"\",\"\",\"4\"\r\n"))
        }
    }

    /// Analyses every response with comments: the first theme for the hidden citizen, both for the council.
    static func analyse(_ api: API, _ h: Hearing) async throws {
        try expectOK(try await api.patch("/v1/responses/\(h.responses[1])", #"""
            {"analysis":{"summary":"=Biler fylder","theme_ids":["\#(h.themes[0])"],"assessment":"Vejen <b>lukkes</b> & \"ændres\"","accommodated":"no"}}
            """#))
        try expectOK(try await api.patch("/v1/responses/\(h.responses[2])", #"""
            {"analysis":{"summary":"Flere træer","theme_ids":["\#(h.themes[0])","\#(h.themes[1])"],"assessment":"Vi planter 20.","accommodated":"yes"}}
            """#))
    }

    @Test func theMemoIsADraftUntilPublishedThenFrozenVersionedAndRetractable() async throws {
        try await withAPI { api in
            let h = try await Self.hearing(api)
            // Before the deadline: a draft for admins, nothing for the public.
            expectProblem(try await api.get("/v1/consultations/\(h.id)/memo"), .notFound)
            expectProblem(try await api.get("/v1/consultations/\(h.id)/memo?draft=true"), .unauthorized)
            expectProblem(try await api.get("/v1/consultations/\(h.id)/memo?draft=true", token: h.partner), .forbidden)
            let draft = try await api.get("/v1/consultations/\(h.id)/memo?draft=true", token: api.service.admin)
            #expect(draft.json["draft"] as? Bool == true && draft.json["version"] == nil)
            #expect(try await api.get("/v1/consultations/\(h.id)/memo?draft=true&format=markdown", token: api.service.admin).text.contains("**UDKAST**"))
            expectProblem(try await api.call(.post, "/v1/consultations/\(h.id)/memo/publish", token: api.service.admin), .conflict, "consultation-still-open")
            await api.service.clock.advance(by: 2 * 86_400)
            // Every received or published response with comments needs its analysis.
            let missing = try await api.call(.post, "/v1/consultations/\(h.id)/memo/publish", token: api.service.admin)
            expectProblem(missing, .unprocessableContent, "analysis-missing")
            #expect(missing.fieldErrors.count == 2)
            try await Self.analyse(api, h)
            expectProblem(try await api.call(.post, "/v1/consultations/\(h.id)/memo/publish", token: h.partner), .forbidden)
            let published = try await api.call(.post, "/v1/consultations/\(h.id)/memo/publish", token: api.service.admin)
            #expect(published.status == .created && published.json["version"] as? Int == 1)
            #expect(published["Location"] == "/v1/consultations/\(h.id)/memo?version=1")
            let memo = try await api.get("/v1/consultations/\(h.id)/memo")
            #expect(memo.status == .ok && memo.json["version"] as? Int == 1 && memo.json["draft"] as? Bool == false)
            let tag = try #require(memo["ETag"])
            #expect(try await api.get("/v1/consultations/\(h.id)/memo", headers: ["If-None-Match": tag]).status == .notModified)
            // Frozen: a later change to the data changes the draft, not version 1.
            try expectOK(try await api.patch("/v1/responses/\(h.responses[2])", #"{"analysis":{"summary":"Ændret resumé"}}"#))
            #expect(try await api.get("/v1/consultations/\(h.id)/memo").text == memo.text)
            #expect(try await api.get("/v1/consultations/\(h.id)/memo?draft=true", token: api.service.admin).text.contains("Ændret resumé"))
            let consultation = try await api.get("/v1/consultations/\(h.id)")
            let conclusion = try #require(consultation.json["conclusion"] as? [String: any Sendable])
            #expect((conclusion["memo"] as? [String: any Sendable])?["href"] as? String == "/v1/consultations/\(h.id)/memo?version=1")
            // The sections on the consultation stay the administration's drafts; the public reads them in the memo.
            #expect(consultation.string("memo_introduction") == nil && memo.string("introduction") == "Indledning her.")
            #expect(try await api.get("/v1/consultations/\(h.id)", token: api.service.admin).string("memo_introduction") == "Indledning her.")
            // Version 2; version 1 stays readable.
            let second = try await api.call(.post, "/v1/consultations/\(h.id)/memo/publish", token: api.service.admin)
            #expect(second.json["version"] as? Int == 2)
            #expect(try await api.get("/v1/consultations/\(h.id)/memo").text.contains("Ændret resumé"))
            #expect(try await api.get("/v1/consultations/\(h.id)/memo?version=1").text == memo.text)
            // Retraction: 410 with the reason, audited, in the feed, and the latest standing version is served.
            let feedBefore = (try await api.get("/v1/changes?after=0&limit=200").data.last?["seq"] as? Int) ?? 0
            expectProblem(try await api.call(.post, "/v1/consultations/\(h.id)/memo/versions/2/retract", token: api.service.admin, body: #"{"reason":""}"#),
                          .unprocessableContent)
            let retracted = try await api.call(.post, "/v1/consultations/\(h.id)/memo/versions/2/retract", token: api.service.admin,
                                               body: #"{"reason":"Afslørede et navn ved en fejl."}"#)
            #expect(retracted.status == .ok && retracted.string("retraction_reason") == "Afslørede et navn ved en fejl.")
            let gone = try await api.get("/v1/consultations/\(h.id)/memo?version=2")
            expectProblem(gone, .gone, "memo-retracted")
            #expect(gone.string("detail")?.contains("Afslørede et navn ved en fejl.") == true)
            #expect(try await api.get("/v1/consultations/\(h.id)/memo").json["version"] as? Int == 1)
            expectProblem(try await api.call(.post, "/v1/consultations/\(h.id)/memo/versions/2/retract", token: api.service.admin,
                                             body: #"{"reason":"Igen"}"#), .conflict)
            expectProblem(try await api.call(.post, "/v1/consultations/\(h.id)/memo/versions/9/retract", token: api.service.admin,
                                             body: #"{"reason":"Findes ikke"}"#), .notFound)
            // Public statistics count the analysis as the standing memo (version 1) shows it, not as it is now.
            let publicStats = try await api.get("/v1/consultations/\(h.id)/statistics")
            let accommodated = try #require(publicStats.json["by_accommodated"] as? [[String: any Sendable]])
            #expect(accommodated.first { $0["key"] as? String == "yes" }?["count"] as? Int == 1)
            try expectOK(try await api.patch("/v1/responses/\(h.responses[2])", #"{"analysis":{"accommodated":"no"}}"#))
            #expect(try await api.get("/v1/consultations/\(h.id)/statistics").text == publicStats.text)
            #expect((try await api.get("/v1/consultations/\(h.id)/statistics").json["parties"] as? [String: Int])?["no_comments"] == 1)
            expectProblem(try await api.get("/v1/consultations/\(h.id)/memo?version=0"), .badRequest)
            let feed = try await api.get("/v1/changes?after=\(feedBefore)").data
            #expect(feed.contains { $0["type"] as? String == "memo" && $0["action"] as? String == "deleted" })
            #expect(try await api.get("/v1/admin/audit", token: api.service.admin).data.contains { ($0["path"] as? String)?.hasSuffix("/memo/versions/2/retract") == true })
            let versions = try await api.get("/v1/consultations/\(h.id)/memo/versions").data
            #expect(versions.map { $0["version"] as? Int } == [2, 1] && versions[0]["retracted_at"] != nil)
            // The memo is the conclusion: no summary needed.
            let concluded = try await api.patch("/v1/consultations/\(h.id)", #"{"status":"concluded"}"#)
            #expect(concluded.status == .ok && concluded.string("status") == "concluded", "\(concluded.text)")
            // Retracting the last standing version leaves it without one: it may then be given a summary, nothing else.
            try expectOK(try await api.call(.post, "/v1/consultations/\(h.id)/memo/versions/1/retract", token: api.service.admin,
                                            body: #"{"reason":"Forkert version."}"#))
            expectProblem(try await api.get("/v1/consultations/\(h.id)/memo"), .gone)
            expectProblem(try await api.patch("/v1/consultations/\(h.id)", #"{"title":"Nyt"}"#), .conflict, "consultation-final")
            expectProblem(try await api.patch("/v1/consultations/\(h.id)", #"{"conclusion":{"memo_url":"https://testby.dk/notat.pdf"}}"#), .conflict)
            expectProblem(try await api.patch("/v1/consultations/\(h.id)", #"{"conclusion":{"summary":"   "}}"#), .conflict)
            try expectOK(try await api.patch("/v1/consultations/\(h.id)", #"{"conclusion":{"summary":"Forslaget vedtages."}}"#))
            expectProblem(try await api.patch("/v1/consultations/\(h.id)", #"{"conclusion":{"summary":"Igen"}}"#), .conflict)
        }
    }

    @Test func aConsultationWithoutAMemoStillNeedsASummaryToConclude() async throws {
        try await withAPI { api in
            let h = try await Self.hearing(api)
            await api.service.clock.advance(by: 2 * 86_400)
            let reply = try await api.patch("/v1/consultations/\(h.id)", #"{"status":"concluded"}"#)
            expectProblem(reply, .unprocessableContent)
            #expect(reply.fieldErrors == ["conclusion.summary"])
        }
    }

    @Test func theMemoListsEveryPartyOnceInTheLanguagesOrderAsThePartyListShowsThem() async throws {
        try await withAPI { api in
            let h = try await Self.hearing(api)
            let memo = try await api.get("/v1/consultations/\(h.id)/memo?draft=true", token: api.service.admin)
            let parties = try #require(memo.json["parties"] as? [[String: any Sendable]])
            // Danish order: Z before Æ, and "Aa" is Å, last.
            #expect(parties.map { $0["name"] as? String } == ["Zealand Kajak", "Ældrerådet", "Aabenraa Vinterbadere"])
            #expect(parties.map { $0["answer"] as? String } == ["no_response", "responded", "no_comments"])
            let list = try await api.get("/v1/consultations/\(h.id)/parties").data
            #expect(Set(list.compactMap { $0["name"] as? String }) == Set(parties.compactMap { $0["name"] as? String }))
            for party in list {
                let line = parties.first { $0["name"] as? String == party["name"] as? String }
                #expect((line?["answer"] as? String != "no_response") == (party["responded"] as? Bool == true))
            }
        }
    }

    /// Each language's words and dates, on a consultation in that language.
    @Test(arguments: [("DK", "da", "Høringsnotat", "Høringsparter", "dage", "december"),
                      ("NO", "nb", "Høringsnotat", "Høringsinstanser", "dager", "desember"),
                      ("NO", "nn", "Høyringsnotat", "Høyringsinstansar", "dagar", "desember")])
    func theMemoIsWordedInTheMunicipalitysLanguage(country: String, language: String, heading: String, parties: String, days: String, month: String) async throws {
        try await withAPI { api in
            try await api.service.clock.set(ISO8601DateFormatter().date(from: "2026-12-01T10:00:00Z")!)
            let h = try await Self.hearing(api, country: country)
            try expectOK(try await api.patch("/v1/municipalities/testby", #"{"language":"\#(language)"}"#))
            let markdown = try await api.get("/v1/consultations/\(h.id)/memo?draft=true&format=markdown", token: api.service.admin)
            #expect(markdown["Content-Type"] == "text/markdown; charset=utf-8")
            #expect(markdown.text.hasPrefix("# \(heading): Ombygning af Åvej"))
            #expect(markdown.text.contains("## \(parties)"))
            #expect(markdown.text.contains("1. \(month) 2026") && markdown.text.contains("(1 \(days))"))
            let html = try await api.get("/v1/consultations/\(h.id)/memo?draft=true&format=html", token: api.service.admin)
            #expect(html.text.contains("<html lang=\"\(language)\">"))
            let json = try await api.get("/v1/consultations/\(h.id)/memo?draft=true", token: api.service.admin)
            #expect(json.string("language") == language)
        }
    }

    @Test func theHTMLIsStandaloneEscapedAndItsPolicyAllowsOnlyInlineStyles() async throws {
        try await withAPI { api in
            let h = try await Self.hearing(api)
            try expectOK(try await api.patch("/v1/consultations/\(h.id)", #"{"title":"<script>alert(1)</script> & Co","memo_introduction":"<img src=x onerror=alert(1)>"}"#))
            try await Self.analyse(api, h)
            let html = try await api.get("/v1/consultations/\(h.id)/memo?draft=true&format=html", token: api.service.admin)
            #expect(html["Content-Type"] == "text/html; charset=utf-8")
            #expect(html["Content-Security-Policy"] == "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'")
            #expect(html.text.hasPrefix("<!DOCTYPE html>"))
            #expect(!html.text.contains("<script") && !html.text.contains("<img") && !html.text.contains("<b>"))
            #expect(html.text.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co"))
            #expect(html.text.contains("Vejen &lt;b&gt;lukkes&lt;/b&gt; &amp; &quot;ændres&quot;"))
            #expect(html.text.contains("<table") && html.text.contains("<th scope=\"col\""))
            // The citizen who did not agree to publish her name is her kind; the council member is named.
            #expect(!html.text.contains("Skjult Borger") && html.text.contains("Else Ældre"))
            // Markdown shows data as text: no heading, tag or emphasis can be smuggled in.
            let markdown = try await api.get("/v1/consultations/\(h.id)/memo?draft=true&format=markdown", token: api.service.admin)
            #expect(markdown.text.hasPrefix("# Høringsnotat: \\<script\\>alert(1)\\</script\\> \\& Co\n"))
            #expect(markdown.text.contains("Vejen \\<b\\>lukkes\\</b\\>"))
            // A theme description begins a line: no list, break or code block starts there.
            try expectOK(try await api.patch("/v1/themes/\(h.themes[0])", #"{"description":"1. Bygning & ~~mere~~"}"#))
            try expectOK(try await api.patch("/v1/themes/\(h.themes[1])", #"{"description":"    - punkt"}"#))
            let blocks = try await api.get("/v1/consultations/\(h.id)/memo?draft=true&format=markdown", token: api.service.admin).text
            #expect(blocks.contains("\n1\\. Bygning \\& \\~\\~mere\\~\\~\n") && blocks.contains("\n\\- punkt\n"))
            // The CSV overview: one row per response, formula cells neutralised.
            let csv = try await api.get("/v1/consultations/\(h.id)/memo?draft=true&format=csv", token: api.service.admin)
            let lines = csv.text.split(separator: "\r\n")
            #expect(lines.count == 4)
            #expect(lines[0].hasPrefix("\u{FEFF}\"Modtaget\",\"Høring\",\"Svar-id\""))
            #expect(csv.text.contains("\"'=Biler fylder\""))
            #expect(!csv.text.contains("Skjult Borger") && !csv.text.contains("skjult@example.dk"))
        }
    }

    @Test func aShortHearingPeriodNeedsAReason() async throws {
        try await withAPI { api in
            let (m, _) = try await seedMunicipality(api)
            #expect(try await api.get("/v1/municipalities/\(m)").json["min_hearing_days"] as? Int == 28)
            try await api.service.clock.set(ISO8601DateFormatter().date(from: "2026-03-01T08:00:00Z")!)
            // 27 local days (1 March to 28 March in Copenhagen) is short; 28 is not.
            let short = try await api.call(.post, "/v1/consultations", token: api.service.admin, body: #"""
                {"municipality_id":"\#(m)","title":"Kort","status":"published","opens_at":"2026-03-01T09:00:00Z","closes_at":"2026-03-28T22:00:00Z"}
                """#)
            expectProblem(short, .unprocessableContent, "hearing-period-too-short")
            #expect(short.fieldErrors == ["short_period_reason"])
            let enough = try await api.call(.post, "/v1/consultations", token: api.service.admin, body: #"""
                {"municipality_id":"\#(m)","title":"Nok","status":"published","opens_at":"2026-03-01T09:00:00Z","closes_at":"2026-03-29T07:00:00Z"}
                """#)
            #expect(enough.status == .created && enough.json["hearing_days"] as? Int == 28, "\(enough.text)")
            // A draft may be short; publishing it needs the reason, which is public.
            let draft = try await api.create("/v1/consultations", #"""
                {"municipality_id":"\#(m)","title":"Kladde","opens_at":"2026-03-02T09:00:00Z","closes_at":"2026-03-10T09:00:00Z"}
                """#)
            expectProblem(try await api.patch("/v1/consultations/\(draft)", #"{"status":"published"}"#), .unprocessableContent, "hearing-period-too-short")
            try expectOK(try await api.patch("/v1/consultations/\(draft)", #"{"status":"published","short_period_reason":"Lovkrav om hurtig behandling"}"#))
            #expect(try await api.get("/v1/consultations/\(draft)").string("short_period_reason") == "Lovkrav om hurtig behandling")
            // The published period stays explained: the reason cannot be taken away, nor the period moved without one.
            expectProblem(try await api.patch("/v1/consultations/\(draft)", #"{"short_period_reason":null}"#), .unprocessableContent, "hearing-period-too-short")
            try expectOK(try await api.patch("/v1/consultations/\(draft)", #"{"closes_at":"2026-03-11T09:00:00Z"}"#))
            // Concluding or withdrawing cannot take it away either.
            try await api.service.clock.set(ISO8601DateFormatter().date(from: "2026-03-12T08:00:00Z")!)
            expectProblem(try await api.patch("/v1/consultations/\(draft)", #"{"status":"withdrawn","short_period_reason":null}"#),
                          .unprocessableContent, "hearing-period-too-short")
            try await api.service.clock.set(ISO8601DateFormatter().date(from: "2026-03-01T08:00:00Z")!)
            // The municipality's own minimum; Norway's default is 42 days.
            try expectOK(try await api.patch("/v1/municipalities/\(m)", #"{"min_hearing_days":10}"#))
            let ten = try await api.call(.post, "/v1/consultations", token: api.service.admin, body: #"""
                {"municipality_id":"\#(m)","title":"Ti","status":"published","opens_at":"2026-03-02T09:00:00Z","closes_at":"2026-03-12T09:00:00Z"}
                """#)
            #expect(ten.status == .created)
            let (n, _) = try await seedMunicipality(api, id: "nordby", country: "NO")
            #expect(try await api.get("/v1/municipalities/\(n)").json["min_hearing_days"] as? Int == 42)
            expectProblem(try await api.patch("/v1/municipalities/\(m)", #"{"min_hearing_days":0}"#), .unprocessableContent)
        }
    }

    @Test func personalDataIsErasedWhenTheRetentionPeriodEnds() async throws {
        try await withAPI { api in
            let h = try await Self.hearing(api)
            try expectOK(try await api.patch("/v1/consultations/\(h.id)", #"{"personal_data_retention_days":30}"#))
            let due = try await api.get("/v1/municipalities/testby/retention", token: api.service.admin).data
            let entry = try #require(due.first { $0["consultation_id"] as? String == h.id })
            #expect(entry["status"] as? String == "pending" && entry["counted_from"] as? String == "deadline" && entry["retention_days"] as? Int == 30)
            expectProblem(try await api.get("/v1/municipalities/testby/retention"), .unauthorized)
            expectProblem(try await api.get("/v1/municipalities/testby/retention", token: h.partner), .forbidden)
            try await Self.analyse(api, h)
            // A response with an attachment that was never published, and one whose attachment was.
            let kept = try await api.uploaded(SampleFiles.pdf, token: h.partner, key: "kept")
            let dropped = try await api.uploaded(SampleFiles.text, token: h.partner, key: "dropped", filename: "note.txt")
            let withFiles = try await submit(api, h.id, token: h.partner, key: "files", extra: #","attachments":[{"file_id":"\#(kept)","title":"Brev"},{"file_id":"\#(dropped)","title":"Note"}]"#)
            let filed = try #require(withFiles.string("id"))
            try expectOK(try await api.patch("/v1/responses/\(filed)", #"{"status":"published","analysis":{"summary":"Med bilag"}}"#))
            try expectOK(try await api.patch("/v1/responses/\(filed)/attachments/\(kept)", #"{"status":"published","personal_data_checked":true}"#))
            // An original replaced by an administrator's redacted copy was never public either.
            let original = try await api.uploaded(Data("Brev fra Hemmelig Gade 7.\n".utf8), token: h.partner, key: "original", filename: "brev.txt")
            let withOriginal = try await submit(api, h.id, token: h.partner, key: "original",
                                                extra: #","attachments":[{"file_id":"\#(original)","title":"Brev"}]"#)
            let originalResponse = try #require(withOriginal.string("id"))
            let copy = try await api.uploaded(Data("Brev fra [adresse fjernet].\n".utf8), key: "copy", filename: "brev-redigeret.txt")
            try expectOK(try await api.patch("/v1/responses/\(originalResponse)", #"{"status":"published","analysis":{"summary":"Brev"}}"#))
            try expectOK(try await api.patch("/v1/responses/\(originalResponse)/attachments/\(original)",
                                             #"{"status":"published","personal_data_checked":true,"replacement_file_id":"\#(copy)"}"#))
            let runJobs = { (now: Date) in for job in api.service.store.timedJobs { try await job.run(now) } }
            // Not yet: 29 days after the deadline.
            await api.service.clock.advance(by: 30 * 86_400)
            try await runJobs(api.service.clock.now())
            #expect(try await api.get("/v1/responses/\(h.responses[1])", token: api.service.admin).json["respondent"].flatMap { $0 as? [String: any Sendable] }?["email"] as? String == "skjult@example.dk")
            await api.service.clock.advance(by: 2 * 86_400)
            try await runJobs(api.service.clock.now())
            let erased = try await api.get("/v1/responses/\(h.responses[1])", token: api.service.admin)
            let respondent = try #require(erased.json["respondent"] as? [String: any Sendable])
            #expect(respondent["email"] == nil && respondent["address"] == nil && respondent["name"] == nil)
            #expect(erased.string("text") == "For mange biler." && (erased.json["analysis"] as? [String: any Sendable])?["summary"] as? String == "=Biler fylder")
            #expect((erased.json["receipt"] as? [String: any Sendable])?["sha256"] != nil)
            // A respondent who agreed to publish the name keeps it.
            let named = try await api.get("/v1/responses/\(h.responses[2])", token: api.service.admin)
            #expect((named.json["respondent"] as? [String: any Sendable])?["name"] as? String == "Else Ældre")
            let after = try await api.get("/v1/municipalities/testby/retention?status=erased", token: api.service.admin).data
            #expect(after.contains { $0["consultation_id"] as? String == h.id && $0["erased_at"] != nil })
            #expect(try await api.get("/v1/admin/audit", token: api.service.admin).data.contains {
                $0["resource_id"] as? String == h.id && ($0["token_name"] as? String)?.contains("Retention") == true
            })
            // The attachment never published is gone; the published one stays.
            #expect(try await api.get("/v1/files/\(dropped)", token: api.service.admin).status == .notFound)
            #expect(try await api.get("/v1/files/\(kept)", token: api.service.admin).status == .ok)
            #expect(try await api.get("/v1/files/\(original)", token: api.service.admin).status == .notFound)
            #expect(try await api.get("/v1/files/\(copy)", token: api.service.admin).status == .ok)
            // Exports made afterwards no longer hold what was erased.
            let response = try await api.client.execute(uri: "/v1/consultations/\(h.id)/responses/export?format=csv", method: .get,
                                                        headers: [.authorization: "Bearer \(api.service.admin)"], body: nil)
            let export = try gunzip(Reply(status: response.status, headers: response.headers, text: ""), raw: response.body)
            #expect(export.contains("For mange biler.") && !export.contains("skjult@example.dk") && !export.contains("Skjult Borger")
                    && !export.contains("Åvej 1"))
            // Running again changes nothing.
            try await runJobs(api.service.clock.now())
        }
    }
}

extension HearingMemoTests {
    @Test func aSenderFieldHoldingANationalIdNeverReachesTheMemo() async throws {
        try await withAPI { api in
            let h = try await Self.hearing(api)
            let flagged = try await api.call(.post, "/v1/consultations/\(h.id)/responses", token: h.partner, body: #"""
                {"respondent":{"kind":"business","name":"Jens","organisation":"Enkeltmandsfirma 120385-1233","on_behalf_of":"Nabo 120385-1233","publish_name":true},"text":"Hej"}
                """#, headers: ["Idempotency-Key": "flagged"])
            #expect(flagged.json["contains_national_id"] as? Bool == true)
            for format in ["json", "markdown", "html", "csv"] {
                let memo = try await api.get("/v1/consultations/\(h.id)/memo?draft=true&format=\(format)", token: api.service.admin)
                #expect(memo.status == .ok && !memo.text.contains("120385") && memo.text.contains("Jens"), "\(format)")
            }
        }
    }

    @Test func anErasedConsultationTakesNoMoreResponses() async throws {
        try await withAPI { api in
            let (m, _) = try await seedMunicipality(api)
            let id = try await seedConsultation(api, municipality: m, extra: #","late_policy":"accept_flagged","personal_data_retention_days":1"#)
            let partner = try await api.service.token(.partner, [m])
            let first = try await submit(api, id, token: partner, key: "one")
            await api.service.clock.advance(by: 3 * 86_400)
            for job in api.service.store.timedJobs { try await job.run(api.service.clock.now()) }
            // The late response's data was erased; no new personal data is taken in after that.
            let erased = try await api.get("/v1/responses/\(try #require(first.string("id")))", token: api.service.admin)
            #expect((erased.json["respondent"] as? [String: any Sendable])?["email"] == nil)
            expectProblem(try await submit(api, id, token: partner, key: "two"), .conflict, "consultation-closed")
        }
    }
}
