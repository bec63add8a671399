import Foundation
import HTTPTypes
import Testing

/// JSON, time and query strings as real clients write them (JavaScript's `toISOString()`, hand-typed curl,
/// misspelt filters), each fault kind tried on more than one endpoint.
@Suite struct ClientInputTests {
    // MARK: Timestamps

    @Test func rfc3339WithFractionsAndOffsetsIsAcceptedAndKeptInWholeSeconds() async throws {
        try await withAPI { api in
            let (m, _) = try await seedMunicipality(api)
            // What `new Date().toISOString()` writes, and a local time with its offset.
            let created = try await api.call(.post, "/v1/consultations", token: api.service.admin, body: #"""
                {"municipality_id":"\#(m)","title":"Høring","opens_at":"2026-12-01T15:00:00.000Z","closes_at":"2027-01-15T12:00:00.999+01:00"}
                """#)
            #expect(created.status == .created, "\(created.text)")
            #expect(created.string("opens_at") == "2026-12-01T15:00:00Z")
            #expect(created.string("closes_at") == "2027-01-15T11:00:00Z")
            #expect(created.string("created_at")?.count == 20)
            // A merge patch takes the same shapes.
            let id = try #require(created.string("id"))
            let patched = try await api.patch("/v1/consultations/\(id)", #"{"closes_at":"2027-01-16T12:00:00.5Z"}"#)
            #expect(patched.string("closes_at") == "2027-01-16T12:00:00Z", "\(patched.text)")
            // Meetings and the meeting filters too.
            let council = try await seedCouncil(api, municipality: m)
            let meeting = try await api.call(.post, "/v1/meetings", token: api.service.admin, body: #"""
                {"municipality_id":"\#(m)","council_id":"\#(council)","kind":"council_meeting","title":"Møde",
                 "starts_at":"2026-12-10T17:00:00.250+01:00","ends_at":"2026-12-10T19:00:00.000+01:00"}
                """#)
            #expect(meeting.status == .created && meeting.string("starts_at") == "2026-12-10T16:00:00Z", "\(meeting.text)")
            let listed = try await api.get("/v1/meetings?from=2026-12-10T00:00:00.000Z&to=2026-12-11T00:00:00%2B01:00")
            #expect(listed.status == .ok && listed.data.count == 1, "\(listed.text)")
        }
    }

    @Test func aMalformedTimestampNamesItsFieldAndTheFormat() async throws {
        try await withAPI { api in
            let (m, _) = try await seedMunicipality(api)
            let reply = try await api.call(.post, "/v1/consultations", token: api.service.admin, body: #"""
                {"municipality_id":"\#(m)","title":"Høring","opens_at":"2026-12-01T15:00:00Z","closes_at":"15/01/2027 12:00"}
                """#)
            expectProblem(reply, .badRequest)
            #expect(reply.fieldErrors == ["closes_at"])
            #expect(reply.text.contains("2026-12-01T15:00:00Z") && reply.text.contains("15/01/2027 12:00"))
            let meeting = try await seedMeeting(api, municipality: m, council: nil)
            let patch = try await api.patch("/v1/meetings/\(meeting)", #"{"ends_at":"tomorrow"}"#)
            expectProblem(patch, .badRequest)
            #expect(patch.fieldErrors == ["ends_at"])
            let query = try await api.get("/v1/meetings?from=yesterday")
            expectProblem(query, .badRequest)
            #expect(query.fieldErrors == ["from"] && query.text.contains("RFC 3339"))
        }
    }

    // MARK: Strict JSON

    @Test(arguments: [
        (#"{"name":"Testby","country":"DK","time_zone":"Europe/Copenhagen","id":"a",}"#, "request"),
        (#"{"name":"Testby","country":"DK","time_zone":"Europe/Copenhagen","id":"a","name":"Other"}"#, "name"),
        (#"{"name":"Testby","country":"DK","time_zone":"Europe/Copenhagen","id":"a","n\u0061me":"Other"}"#, "name"),
    ])
    func trailingCommasAndRepeatedNamesAreInvalidJSON(body: String, field: String) async throws {
        try await withAPI { api in
            let reply = try await api.call(.post, "/v1/municipalities", token: api.service.admin, body: body)
            expectProblem(reply, .badRequest, "invalid-json")
            #expect(reply.fieldErrors == [field])
            #expect(try await api.get("/v1/municipalities/a").status == .notFound)
        }
    }

    @Test func strictJSONHoldsOnEveryKindOfBody() async throws {
        try await withAPI { api in
            let (m, _) = try await seedMunicipality(api)
            let council = try await seedCouncil(api, municipality: m)
            let consultation = try await seedConsultation(api, municipality: m)
            let partner = try await api.service.token(.partner)
            // A nested array with a trailing comma, a merge patch with a repeated name, a submission with both.
            let create = try await api.call(.post, "/v1/councils", token: api.service.admin, body: #"""
                {"municipality_id":"\#(m)","name":"Råd","kind":"user_council","seats":[{"group":"users","count":3,"voting":true},]}
                """#)
            expectProblem(create, .badRequest, "invalid-json")
            #expect(create.fieldErrors == ["seats"])
            let patch = try await api.patch("/v1/councils/\(council)", #"{"name":"Nyt navn","name":"Andet navn"}"#)
            expectProblem(patch, .badRequest, "invalid-json")
            #expect(try await api.get("/v1/councils/\(council)").string("name") == "Brugerråd Solhøj")
            let submission = try await api.call(.post, "/v1/consultations/\(consultation)/responses", token: partner, body: #"""
                {"respondent":{"kind":"citizen","name":"Jens","name":"Hemmelig"},"text":"Ja"}
                """#, headers: ["Idempotency-Key": "strict-1"])
            expectProblem(submission, .badRequest, "invalid-json")
            #expect(submission.fieldErrors == ["respondent.name"])
        }
    }

    @Test func numbersAndEncodingsAreNamed() async throws {
        try await withAPI { api in
            let (m, _) = try await seedMunicipality(api)
            for number in ["1.5", "99999999999999999999"] {
                let reply = try await api.call(.post, "/v1/councils", token: api.service.admin,
                                               body: #"{"municipality_id":"\#(m)","name":"Råd","kind":"other","min_meetings_per_year":\#(number)}"#)
                expectProblem(reply, .badRequest)
                #expect(reply.fieldErrors == ["min_meetings_per_year"], "\(number): \(reply.text)")
            }
            let bom = try await api.call(.post, "/v1/service-areas", token: api.service.admin,
                                         body: "\u{FEFF}" + #"{"municipality_id":"\#(m)","name":"Kultur"}"#)
            expectProblem(bom, .badRequest, "invalid-json")
            #expect(bom.text.contains("byte-order mark"))
        }
    }

    /// A date that fits the contract's pattern but names no day is a 422 naming the field, in a query or a body.
    @Test func datesThatDoNotExistAreUnprocessable() async throws {
        try await withAPI { api in
            let (m, _) = try await seedMunicipality(api)
            let council = try await seedCouncil(api, municipality: m)
            let query = try await api.get("/v1/councils/\(council)/members?at=1018-82-16")
            expectProblem(query, .unprocessableContent)
            #expect(query.fieldErrors == ["at"])
            let body = try await api.call(.post, "/v1/councils/\(council)/members", token: api.service.admin,
                                          body: #"{"name":"Ny","role":"member","group":"users","voting":true,"term_start":"2026-02-30"}"#)
            expectProblem(body, .unprocessableContent)
            #expect(body.fieldErrors == ["term_start"])
        }
    }

    // MARK: Enum values and unknown fields in our words

    @Test func enumErrorsNameTheFieldTheValueAndTheAllowedValues() async throws {
        try await withAPI { api in
            let (m, _) = try await seedMunicipality(api)
            let reply = try await api.call(.post, "/v1/councils", token: api.service.admin, body: #"""
                {"municipality_id":"\#(m)","name":"Råd","kind":"senior","seats":[{"group":"pensioners","count":3,"voting":true}]}
                """#)
            expectProblem(reply, .unprocessableContent)
            #expect(Set(reply.fieldErrors) == ["kind", "seats[0].group"])
            #expect(reply.text.contains("'senior'") && reply.text.contains("senior_council") && reply.text.contains("youth_council"))
            #expect(reply.text.contains("'pensioners'") && reply.text.contains("relatives"))
            #expect(!reply.text.contains("Cannot initialize") && !reply.text.contains("CouncilKind"))
            let country = try await api.call(.post, "/v1/municipalities", token: api.service.admin,
                                              body: #"{"id":"x","name":"X","country":"SE","time_zone":"Europe/Stockholm"}"#)
            expectProblem(country, .unprocessableContent)
            #expect(country.fieldErrors == ["country"] && country.text.contains("DK, NO"))
        }
    }

    @Test func unknownFieldsAreNamedInOurWords() async throws {
        try await withAPI { api in
            let (m, _) = try await seedMunicipality(api)
            let council = try await seedCouncil(api, municipality: m)
            let create = try await api.call(.post, "/v1/service-areas", token: api.service.admin,
                                             body: #"{"municipality_id":"\#(m)","name":"Kultur","descripton":"Stavefejl"}"#)
            expectProblem(create, .badRequest, "malformed-request")
            #expect(create.fieldErrors == ["descripton"])
            #expect(create.text.contains("description") && !create.text.contains("Unexpected") && !create.text.contains("additional"))
            let patch = try await api.patch("/v1/councils/\(council)", #"{"legal_basis":{"kind":"bylaws","referense":"§ 2"}}"#)
            expectProblem(patch, .badRequest, "malformed-request")
            #expect(patch.fieldErrors == ["legal_basis.referense"])
        }
    }

    // MARK: Query parameters

    @Test func unknownQueryParametersAreRefusedByName() async throws {
        try await withAPI { api in
            let (m, _) = try await seedMunicipality(api)
            _ = try await seedCouncil(api, municipality: m)
            for path in ["/v1/councils?municipalty=\(m)", "/v1/consultations?municipality=\(m)&stauts=open",
                         "/v1/municipalities/\(m)?limit=5", "/v1/meetings.ics?council_id=x"] {
                let reply = try await api.get(path)
                expectProblem(reply, .badRequest, "malformed-request")
                #expect(reply.fieldErrors.count == 1, "\(path): \(reply.text)")
            }
            let misspelt = try await api.get("/v1/councils?municipalty=\(m)")
            #expect(misspelt.fieldErrors == ["municipalty"] && misspelt.text.contains("municipality"))
            // Declared parameters, paging included, and percent-encoded names still work.
            let encoded = try await api.get("/v1/councils?municip%61lity=\(m)&limit=1")
            #expect(encoded.status == .ok, "\(encoded.text)")
            // A value-less item and a malformed number are named too (not "the request could not be read").
            for (query, field) in [("q", "q"), ("limit=abc", "limit"), ("municipality=\(m)&&q", "q")] {
                let reply = try await api.get("/v1/councils?\(query)")
                expectProblem(reply, .badRequest)
                #expect(reply.fieldErrors == [field], "\(query): \(reply.text)")
            }
            // A literal + in a query is a space, as in any URL: the error names the field and says to write %2B.
            let plus = try await api.get("/v1/meetings?from=2027-01-01T01:00:00+01:00")
            #expect(plus.fieldErrors == ["from"] && plus.text.contains("%2B"), "\(plus.text)")
            let status = try await api.get("/v1/meetings?status=soon")
            expectProblem(status, .badRequest)
            #expect(status.fieldErrors == ["status"] && status.text.contains("planned"))
        }
    }

    /// Whatever the contract's cursor pattern allows is read as a position, never a 400 (schemathesis'
    /// positive_data_acceptance holds the whole contract to this).
    @Test func everyCursorThePatternAllowsIsAPosition() async throws {
        try await withAPI { api in
            for cursor in ["c00", "c0", "czzzzzzzzzzzz", "c1_-zz", "c1_0_00.1.2.3"] {
                let reply = try await api.get("/v1/councils?cursor=\(cursor)")
                #expect(reply.status == .ok, "\(cursor): \(reply.text)")
            }
            for cursor in ["c", "x1", "c1_", "c1_2_3.4.5.6.7", "c0000000000000"] {
                expectProblem(try await api.get("/v1/councils?cursor=\(cursor)"), .badRequest)
            }
        }
    }

    // MARK: Keyset cursors under change

    @Test(arguments: [true, false])
    func reschedulingTheBoundaryMeetingNeitherSkipsNorRepeats(perCouncil: Bool) async throws {
        try await withAPI { api in
            let (m, _) = try await seedMunicipality(api)
            let council = try await seedCouncil(api, municipality: m)
            var ids: [String] = []
            for day in 1...6 { ids.append(try await seedMeeting(api, municipality: m, council: council, startsIn: Double(day) * 86_400)) }
            let list = perCouncil ? "/v1/councils/\(council)/meetings" : "/v1/meetings?municipality=\(m)"
            for move in [30.0, -30.0] {
                let first = try await api.get(list + (perCouncil ? "?" : "&") + "limit=2", token: api.service.admin)
                var seen = first.data.compactMap { $0["id"] as? String }
                var next = first.string("next_cursor")
                // The last meeting shown moves a month later (then, next round, to before every other one).
                let boundary = try #require(seen.last)
                let starts = rfc3339(api.service.clock.now() + move * 86_400)
                let ends = rfc3339(api.service.clock.now() + move * 86_400 + 7200)
                try expectOK(try await api.patch("/v1/meetings/\(boundary)", #"{"starts_at":"\#(starts)","ends_at":"\#(ends)"}"#))
                while let cursor = next {
                    let page = try await api.get(list + (perCouncil ? "?" : "&") + "limit=2&cursor=\(cursor)", token: api.service.admin)
                    #expect(page.status == .ok)
                    seen += page.data.compactMap { $0["id"] as? String }
                    next = page.string("next_cursor")
                }
                #expect(seen.count == ids.count && Set(seen) == Set(ids), "\(move): \(seen)")
            }
        }
    }
}
