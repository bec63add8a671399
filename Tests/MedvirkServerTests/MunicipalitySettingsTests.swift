import Foundation
import Testing

/// Receipt prefixes that never collide, and the language a municipality's generated texts are written in.
@Suite struct MunicipalitySettingsTests {
    @Test func municipalitiesWhoseIdsStartAlikeGetTheirOwnReceiptSeries() async throws {
        try await withAPI { api in
            let first = try await api.call(.post, "/v1/municipalities", token: api.service.admin,
                                           body: #"{"id":"rudersdal","name":"Rudersdal Kommune","country":"DK","time_zone":"Europe/Copenhagen"}"#)
            let second = try await api.call(.post, "/v1/municipalities", token: api.service.admin,
                                            body: #"{"id":"rudkobing","name":"Rudkøbing Kommune","country":"DK","time_zone":"Europe/Copenhagen"}"#)
            #expect(first.string("receipt_prefix") == "RUD")
            let other = try #require(second.string("receipt_prefix"))
            #expect(other != "RUD" && other.hasPrefix("R"), "\(other)")
            // Receipts follow each municipality's own prefix.
            var receipts: [String] = []
            for (index, municipality) in ["rudersdal", "rudkobing"].enumerated() {
                let consultation = try await seedConsultation(api, municipality: municipality)
                let reply = try await submit(api, consultation, token: try await api.service.token(.partner), key: "prefix-\(index)")
                receipts.append(try #require(reply.string("receipt_number")))
            }
            #expect(receipts[0].hasPrefix("RUD-") && receipts[1].hasPrefix(other + "-"), "\(receipts)")
            // A chosen prefix is kept; one that is taken is a 409; a malformed one a 422.
            let chosen = try await api.call(.post, "/v1/municipalities", token: api.service.admin,
                                            body: #"{"id":"ruds-vedby","name":"Ruds Vedby","country":"DK","time_zone":"Europe/Copenhagen","receipt_prefix":"RVB"}"#)
            #expect(chosen.string("receipt_prefix") == "RVB")
            expectProblem(try await api.call(.post, "/v1/municipalities", token: api.service.admin,
                                             body: #"{"id":"x-by","name":"X","country":"DK","time_zone":"Europe/Copenhagen","receipt_prefix":"RUD"}"#),
                          .conflict, "receipt-prefix-taken")
            expectProblem(try await api.patch("/v1/municipalities/ruds-vedby", #"{"receipt_prefix":"RUD"}"#), .conflict, "receipt-prefix-taken")
            expectProblem(try await api.patch("/v1/municipalities/ruds-vedby", #"{"receipt_prefix":"1AB"}"#), .unprocessableContent)
            // Free to change before the first receipt, never after.
            #expect(try await api.patch("/v1/municipalities/ruds-vedby", #"{"receipt_prefix":"RVE"}"#).string("receipt_prefix") == "RVE")
            expectProblem(try await api.patch("/v1/municipalities/rudersdal", #"{"receipt_prefix":"RSD"}"#), .conflict, "receipt-prefix-in-use")
        }
    }

    @Test func theLanguageFollowsTheCountryAndNynorskCanBeChosen() async throws {
        try await withAPI { api in
            let dk = try await api.call(.post, "/v1/municipalities", token: api.service.admin,
                                        body: #"{"id":"fjordby","name":"Fjordby Kommune","country":"DK","time_zone":"Europe/Copenhagen"}"#)
            #expect(dk.string("language") == "da")
            let no = try await api.call(.post, "/v1/municipalities", token: api.service.admin,
                                        body: #"{"id":"nordvik","name":"Nordvik kommune","country":"NO","time_zone":"Europe/Oslo"}"#)
            #expect(no.string("language") == "nb")
            #expect(try await api.patch("/v1/municipalities/nordvik", #"{"language":"nn"}"#).string("language") == "nn")
            let wrong = try await api.patch("/v1/municipalities/fjordby", #"{"language":"nn"}"#)
            expectProblem(wrong, .unprocessableContent)
            #expect(wrong.fieldErrors == ["language"])
            expectProblem(try await api.patch("/v1/municipalities/fjordby", #"{"language":"sv"}"#), .unprocessableContent)
        }
    }

    @Test func calendarsAreNamedForWhatTheyHoldInTheMunicipalitysLanguage() async throws {
        try await withAPI { api in
            let (m, _) = try await seedMunicipality(api)
            let council = try await seedCouncil(api, municipality: m, name: "Testby Ældreråd")
            _ = try await seedMeeting(api, municipality: m, council: council, startsIn: 86_400)
            _ = try await seedConsultation(api, municipality: m)
            func lines(_ path: String) async throws -> [String] { try await api.get(path).text.components(separatedBy: "\r\n") }
            let councilFeed = try await lines("/v1/councils/\(council)/meetings.ics")
            #expect(councilFeed.contains("X-WR-CALNAME:Testby Ældreråd – møder") && councilFeed.contains("NAME:Testby Ældreråd – møder"))
            #expect(councilFeed.contains("X-WR-TIMEZONE:Europe/Copenhagen"))
            #expect(councilFeed.contains("REFRESH-INTERVAL;VALUE=DURATION:PT1H") && councilFeed.contains("X-PUBLISHED-TTL:PT1H"))
            #expect(try await lines("/v1/meetings.ics?municipality=\(m)").contains("X-WR-CALNAME:Testby Kommune – møder"))
            #expect(try await lines("/v1/consultations.ics?municipality=\(m)").contains("X-WR-CALNAME:Testby Kommune – høringer"))
            // A Nynorsk municipality's feeds are in Nynorsk.
            try await api.create("/v1/municipalities", #"{"id":"nordvik","name":"Nordvik kommune","country":"NO","time_zone":"Europe/Oslo","language":"nn"}"#)
            _ = try await seedConsultation(api, municipality: "nordvik")
            let nynorsk = try await lines("/v1/consultations.ics?municipality=nordvik")
            #expect(nynorsk.contains("X-WR-CALNAME:Nordvik kommune – høyringar") && nynorsk.contains("X-WR-TIMEZONE:Europe/Oslo"))
            #expect(nynorsk.contains { $0.hasPrefix("SUMMARY:Høyringsfrist: ") })
            #expect(try await lines("/v1/meetings.ics?municipality=nordvik").contains("X-WR-CALNAME:Nordvik kommune – møte"))
        }
    }
}
