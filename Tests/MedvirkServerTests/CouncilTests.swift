import Foundation
import Testing

@Suite struct CouncilTests {
    @Test func createWithEveryFieldAndReadBack() async throws {
        try await withAPI { api in
            let (m, area) = try await seedMunicipality(api)
            let id = try await api.create("/v1/councils", #"""
                {"municipality_id":"\#(m)","service_area_id":"\#(area)","name":"Testby Handicapråd","kind":"disability_council",
                 "description":"Rådgiver om handicappolitik.","legal_basis":{"kind":"statutory","reference":"Retssikkerhedsloven § 37 a"},
                 "authority":"advisory","hearing_rights":["Handicappolitik","Tilgængelighed"],"min_meetings_per_year":4,"term_years":4,
                 "seats":[{"group":"organisation","count":3,"nominated_by":"DH","voting":true},
                          {"group":"organisation","count":1,"nominated_by":"Andre foreninger","voting":true},
                          {"group":"politicians","count":4,"nominated_by":"Kommunalbestyrelsen","voting":true}],
                 "contact_email":"handicapraad@testby.dk","website":"https://testby.dk/handicapraad","status":"active",
                 "established_on":"2007-01-01"}
                """#)
            let council = try await api.get("/v1/councils/\(id)")
            #expect(council.status == .ok)
            #expect(council.string("kind") == "disability_council")
            #expect((council.json["legal_basis"] as? [String: String])?["reference"] == "Retssikkerhedsloven § 37 a")
            #expect((council.json["seats"] as? [[String: Any]])?.count == 3)
            #expect(council.json["hearing_rights"] as? [String] == ["Handicappolitik", "Tilgængelighed"])
            #expect(council.string("established_on") == "2007-01-01")
        }
    }

    @Test func rulesGiveFieldErrors() async throws {
        try await withAPI { api in
            let (m, _) = try await seedMunicipality(api)
            let (other, otherArea) = try await seedMunicipality(api, id: "andenby")
            _ = other
            let bad = try await api.call(.post, "/v1/councils", token: api.service.admin, body: #"""
                {"municipality_id":"\#(m)","service_area_id":"\#(otherArea)","name":"X","kind":"youth_council",
                 "established_on":"2020-01-01","dissolved_on":"2019-12-31","term_years":0,"contact_email":"nope"}
                """#)
            expectProblem(bad, .unprocessableContent, "validation-failed")
            #expect(Set(bad.fieldErrors).isSuperset(of: ["dissolved_on", "term_years", "contact_email"]))

            let wrongArea = try await api.call(.post, "/v1/councils", token: api.service.admin,
                                               body: #"{"municipality_id":"\#(m)","service_area_id":"\#(otherArea)","name":"X","kind":"youth_council"}"#)
            expectProblem(wrongArea, .unprocessableContent)
            #expect(wrongArea.fieldErrors == ["service_area_id"])

            let unknown = try await api.call(.post, "/v1/councils", token: api.service.admin,
                                             body: #"{"municipality_id":"nowhere","name":"X","kind":"youth_council"}"#)
            #expect(unknown.fieldErrors == ["municipality_id"])

            let badKind = try await api.call(.post, "/v1/councils", token: api.service.admin,
                                             body: #"{"municipality_id":"\#(m)","name":"X","kind":"knitting_club"}"#)
            expectProblem(badKind, .unprocessableContent, "validation-failed")
            #expect(badKind.fieldErrors == ["kind"])
            expectProblem(try await api.call(.post, "/v1/councils", token: api.service.admin,
                                             body: #"{"municipality_id":"\#(m)","name":"X","kind":"other","term_years":"two"}"#), .badRequest)
            expectProblem(try await api.call(.post, "/v1/councils", token: api.service.admin,
                                             body: #"{"municipality_id":"\#(m)","name":"X","kind":"other","colour":"red"}"#), .badRequest)
            let tooLong = String(repeating: "å", count: 201)
            expectProblem(try await api.call(.post, "/v1/councils", token: api.service.admin,
                                             body: #"{"municipality_id":"\#(m)","name":"\#(tooLong)","kind":"other"}"#), .unprocessableContent)
        }
    }

    @Test func fullTextSearchHandlesNordicLetters() async throws {
        try await withAPI { api in
            let (m, _) = try await seedMunicipality(api)
            try await api.create("/v1/councils", #"{"municipality_id":"\#(m)","name":"Ældrerådet","kind":"senior_council"}"#)
            try await api.create("/v1/councils", #"{"municipality_id":"\#(m)","name":"Brukerråd Åsen skole","kind":"user_council","unit":"Åsen skole"}"#)
            try await api.create("/v1/councils", #"{"municipality_id":"\#(m)","name":"Ungdomsråd","kind":"youth_council","description":"For unge i Øster Hurup"}"#)

            func names(_ q: String) async throws -> [String] {
                let encoded = q.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
                return try await api.get("/v1/councils?q=\(encoded)").data.compactMap { $0["name"] as? String }
            }
            #expect(try await names("ældre") == ["Ældrerådet"])
            #expect(try await names("ÆLDRE") == ["Ældrerådet"])
            #expect(try await names("åsen") == ["Brukerråd Åsen skole"])
            #expect(try await names("øster") == ["Ungdomsråd"])
            #expect(try await names("\"quoted\" AND (") == [])
        }
    }

    @Test func filtersCombine() async throws {
        try await withAPI { api in
            let (m, area) = try await seedMunicipality(api)
            let (n, _) = try await seedMunicipality(api, id: "andenby")
            let a = try await seedCouncil(api, municipality: m, area: area)
            try await api.create("/v1/councils", #"{"municipality_id":"\#(m)","name":"Ungeråd","kind":"youth_council","status":"dissolved"}"#)
            try await seedCouncil(api, municipality: n)

            #expect(try await api.get("/v1/councils?municipality=\(m)").data.count == 2)
            #expect(try await api.get("/v1/councils?municipality=\(m)&kind=user_council").data.map { $0["id"] as? String } == [a])
            #expect(try await api.get("/v1/councils?service_area=\(area)").data.map { $0["id"] as? String } == [a])
            #expect(try await api.get("/v1/councils?status=dissolved").data.count == 1)
            expectProblem(try await api.get("/v1/councils?status=asleep"), .badRequest)
        }
    }

    @Test func mergePatchChangesOnlyWhatItNames() async throws {
        try await withAPI { api in
            let (m, area) = try await seedMunicipality(api)
            let id = try await seedCouncil(api, municipality: m, area: area)
            let patched = try await api.patch("/v1/councils/\(id)", #"{"description":"Nyt","service_area_id":null,"legal_basis":{"reference":"Vedtægt § 2"}}"#)
            #expect(patched.status == .ok, "\(patched.text)")
            #expect(patched.string("description") == "Nyt")
            #expect(patched.json["service_area_id"] == nil)
            #expect(patched.string("unit") == "Aktivitetscenter Solhøj")
            #expect((patched.json["legal_basis"] as? [String: String]) == ["kind": "voluntary", "reference": "Vedtægt § 2"])
            expectProblem(try await api.patch("/v1/councils/\(id)", #"{"name":null}"#), .badRequest)
            expectProblem(try await api.patch("/v1/councils/\(id)", #"["not","an","object"]"#), .badRequest)
            expectProblem(try await api.patch("/v1/councils/\(id)", #"{"municipality_id":"andenby"}"#), .badRequest)
        }
    }

    @Test func deletedCouncilsAndTheirMembersAreGone() async throws {
        try await withAPI { api in
            let (m, _) = try await seedMunicipality(api)
            let id = try await seedCouncil(api, municipality: m)
            let member = try await api.create("/v1/councils/\(id)/members", #"{"name":"Else","role":"chair","group":"users","voting":true,"term_start":"2025-01-01"}"#)
            #expect(try await api.delete("/v1/councils/\(id)").status == .noContent)
            expectProblem(try await api.get("/v1/councils/\(id)"), .notFound)
            expectProblem(try await api.get("/v1/councils/\(id)/members/\(member)"), .notFound)
            expectProblem(try await api.delete("/v1/councils/\(id)"), .notFound)
            #expect(try await api.get("/v1/councils").data.isEmpty)
        }
    }
}

@Suite struct LengthTests {
    /// JSON Schema counts code points (of the NFC text): 200 combining marks on a letter with no precomposed
    /// form are 201 characters, not one.
    @Test func lengthsCountCodePoints() async throws {
        try await withAPI { api in
            let (m, _) = try await seedMunicipality(api)
            let zalgo = "q" + String(repeating: "\u{0301}", count: 200)
            expectProblem(try await api.call(.post, "/v1/councils", token: api.service.admin,
                                             body: #"{"municipality_id":"\#(m)","name":"\#(zalgo)","kind":"other"}"#), .unprocessableContent)
            let longQuery = String(repeating: "q\u{0301}", count: 40).addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            expectProblem(try await api.get("/v1/consultations.ics?municipality=\(longQuery)"), .badRequest)
        }
    }
}

@Suite struct NullTests {
    /// `null` is allowed exactly where the contract's type includes it.
    @Test func nullOnlyWhereTheContractAllowsIt() async throws {
        try await withAPI { api in
            let (m, _) = try await seedMunicipality(api)
            let body = { (extra: String) in #"{"municipality_id":"\#(m)","name":"Råd","kind":"other"\#(extra)}"# }
            expectProblem(try await api.call(.post, "/v1/councils", token: api.service.admin, body: body(#","seats":null"#)), .badRequest)
            expectProblem(try await api.call(.post, "/v1/councils", token: api.service.admin, body: body(#","legal_basis":{"kind":null}"#)), .badRequest)
            let council = try await api.create("/v1/councils", body(#","unit":null,"legal_basis":{"kind":"bylaws","reference":null}"#))
            #expect(try await api.patch("/v1/councils/\(council)", #"{"seats":null}"#).status == .ok, "PATCH seats may be null: remove")
            expectProblem(try await api.patch("/v1/councils/\(council)", #"{"kind":null}"#), .badRequest)
        }
    }
}
