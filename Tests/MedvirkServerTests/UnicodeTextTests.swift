import Foundation
import Testing

/// Text typed or pasted in either Unicode form is one text: stored in NFC, found by either spelling.
@Suite struct UnicodeTextTests {
    static let composed = "\u{00C5}by"          // Åby, Å as one character
    static let decomposed = "A\u{030A}by"       // Åby, A + COMBINING RING ABOVE

    @Test(arguments: [(composed, decomposed), (decomposed, composed)])
    func eitherSpellingFindsTheOther(stored: String, query: String) async throws {
        try await withAPI { api in
            let (m, _) = try await seedMunicipality(api)
            let council = try await seedCouncil(api, municipality: m, name: "Brugerråd \(stored)")
            // Stored in NFC whatever was sent.
            #expect(try await api.get("/v1/councils/\(council)").string("name")?.unicodeScalars.elementsEqual("Brugerråd \(Self.composed)".unicodeScalars) == true)
            let q = try #require(query.lowercased().addingPercentEncoding(withAllowedCharacters: .alphanumerics))
            let found = try await api.get("/v1/councils?q=\(q)")
            #expect(found.data.compactMap { $0["id"] as? String } == [council], "\(found.text)")
            let consultation = try await seedConsultation(api, municipality: m, extra: #","body":"Ny sti ved \#(stored)""#)
            #expect(try await api.get("/v1/consultations?q=\(q)").data.compactMap { $0["id"] as? String } == [consultation])
        }
    }

    /// Python's json.dumps and PHP's json_encode write non-ASCII text as `\u` escapes: normalised once decoded.
    @Test func escapedDecomposedTextIsStoredInNFC() async throws {
        try await withAPI { api in
            let (m, _) = try await seedMunicipality(api)
            let council = try await api.create("/v1/councils", #"{"municipality_id":"\#(m)","name":"A\u030aby Ungeråd","kind":"youth_council"}"#)
            let name = try #require(try await api.get("/v1/councils/\(council)").string("name"))
            #expect(Array(name.utf8) == Array("\(Self.composed) Ungeråd".utf8))
            #expect(try await api.get("/v1/councils?q=%C3%A5by").data.count == 1)
        }
    }

    @Test func redactionAndImportMatchEitherSpelling() async throws {
        try await withAPI { api in
            let (m, _) = try await seedMunicipality(api)
            _ = try await api.create("/v1/service-areas", #"{"municipality_id":"\#(m)","name":"\#(Self.composed) Skole"}"#)
            // A CSV naming the service area in the other spelling matches it: no second service area.
            let csv = "service_area,target_group,user_category,purpose,kind,name\r\n"
                + "\(Self.decomposed) Skole,service_users,children_and_youth,formal,website,Skolens side\r\n"
            let imported = try await api.call(.post, "/v1/dialogue-channels/import?municipality=\(m)", token: api.service.admin,
                                              body: csv, contentType: "text/csv")
            #expect(imported.status == .ok && imported.json["service_areas_created"] as? [String] == [], "\(imported.text)")
            // A redaction typed in one spelling removes text submitted in the other.
            let consultation = try await seedConsultation(api, municipality: m)
            let partner = try await api.service.token(.partner)
            let id = try #require(try await submit(api, consultation, token: partner, key: "nfc-1",
                                                   text: "Jeg bor på \(Self.decomposed)vej 3 og støtter forslaget.").string("id"))
            let moderated = try await api.patch("/v1/responses/\(id)", #"{"status":"published","redactions":["\#(Self.composed)vej 3"]}"#)
            #expect(moderated.status == .ok, "\(moderated.text)")
            #expect(moderated.string("public_text")?.contains("vej 3") == false)
        }
    }
}

/// Names sort as Danish and Norwegian readers expect: Æ, Ø, Å after Z, and "Aa" as Å.
@Suite struct CollationTests {
    @Test func serviceAreasAndCouncilsSortInTheMunicipalitysLanguage() async throws {
        try await withAPI { api in
            try await api.create("/v1/municipalities", #"{"id":"nordvik","name":"Nordvik kommune","country":"NO","time_zone":"Europe/Oslo"}"#)
            let names = ["Aabenraa", "Zealand", "Ørsted", "Æble", "Åby", "Abild"]
            for name in names {
                try await api.create("/v1/service-areas", #"{"municipality_id":"nordvik","name":"\#(name) område"}"#)
                _ = try await seedCouncil(api, municipality: "nordvik", name: "\(name) råd")
            }
            let expected = ["Abild", "Zealand", "Æble", "Ørsted", "Aabenraa", "Åby"]
            let overview = try await api.get("/v1/dialogue-overview?municipality=nordvik")
            let areas = (overview.json["service_areas"] as? [[String: any Sendable]] ?? []).compactMap { $0["name"] as? String }
            #expect(areas == expected.map { "\($0) område" }, "\(areas)")
            let report = try await api.get("/v1/reports/council-activity?municipality=nordvik", token: api.service.admin)
            let councils = (report.json["councils"] as? [[String: any Sendable]] ?? []).compactMap { $0["name"] as? String }
            #expect(councils == expected.map { "\($0) råd" }, "\(councils)")
        }
    }
}

/// Service areas are matched by name on import, so a name is used once per municipality, in any case or form.
@Suite struct ServiceAreaNameTests {
    @Test func aServiceAreaNameIsUsedOncePerMunicipality() async throws {
        try await withAPI { api in
            let (m, area) = try await seedMunicipality(api)   // "Ældre og Sundhed"
            for name in ["Ældre og Sundhed", "ældre og sundhed", "ÆLDRE OG SUNDHED"] {
                let reply = try await api.call(.post, "/v1/service-areas", token: api.service.admin,
                                               body: #"{"municipality_id":"\#(m)","name":"\#(name)"}"#)
                expectProblem(reply, .conflict, "service-area-name-taken")
            }
            let other = try await api.create("/v1/service-areas", #"{"municipality_id":"\#(m)","name":"Kultur"}"#)
            expectProblem(try await api.patch("/v1/service-areas/\(other)", #"{"name":"ÆLDRE og sundhed"}"#), .conflict, "service-area-name-taken")
            // Its own name, in another case, is fine; so is the same name in another municipality.
            try expectOK(try await api.patch("/v1/service-areas/\(area)", #"{"name":"Ældre og sundhed"}"#))
            try await api.create("/v1/municipalities", #"{"id":"andenby","name":"Andenby","country":"DK","time_zone":"Europe/Copenhagen"}"#)
            try await api.create("/v1/service-areas", #"{"municipality_id":"andenby","name":"Ældre og Sundhed"}"#)
        }
    }
}
