import Testing

@Suite struct MemberTests {
    @Test func contactDetailsArePrivate() async throws {
        try await withAPI { api in
            let (m, _) = try await seedMunicipality(api)
            let council = try await seedCouncil(api, municipality: m)
            let id = try await api.create("/v1/councils/\(council)/members", #"""
                {"name":"Else Vestergaard","role":"chair","group":"users","voting":true,"term_start":"2025-03-01","term_end":"2027-02-28",
                 "email":"else@example.dk","phone":"+45 20 30 40 50","nominated_by":"Brugerne"}
                """#)
            let anonymous = try await api.get("/v1/councils/\(council)/members/\(id)")
            #expect(anonymous.string("name") == "Else Vestergaard")
            #expect(anonymous.json["email"] == nil && anonymous.json["phone"] == nil)
            #expect(!anonymous.text.contains("else@example.dk"))
            let anonymousList = try await api.get("/v1/councils/\(council)/members?at=all")
            #expect(!anonymousList.text.contains("else@example.dk") && !anonymousList.text.contains("20 30 40 50"))

            let partner = try await api.service.token(.partner)
            #expect(try await api.get("/v1/councils/\(council)/members/\(id)", token: partner).json["email"] == nil)
            _ = try await seedMunicipality(api, id: "andenby")
            let otherAdmin = try await api.service.token(.admin, ["andenby"])
            #expect(try await api.get("/v1/councils/\(council)/members/\(id)", token: otherAdmin).json["email"] == nil)

            let admin = try await api.get("/v1/councils/\(council)/members/\(id)", token: api.service.admin)
            #expect(admin.string("email") == "else@example.dk")
            #expect(admin.string("phone") == "+45 20 30 40 50")
            #expect(admin["Cache-Control"] == "private, no-store")
        }
    }

    @Test func listShowsWhoHoldsASeatOnADate() async throws {
        try await withAPI { api in
            let (m, _) = try await seedMunicipality(api)
            let council = try await seedCouncil(api, municipality: m)
            let old = try await api.create("/v1/councils/\(council)/members", #"{"name":"Former","role":"member","group":"users","voting":true,"term_start":"2020-01-01","term_end":"2021-12-31"}"#)
            let current = try await api.create("/v1/councils/\(council)/members", #"{"name":"Current","role":"member","group":"users","voting":true,"term_start":"2022-01-01"}"#)
            func ids(_ query: String) async throws -> [String] {
                try await api.get("/v1/councils/\(council)/members\(query)").data.compactMap { $0["id"] as? String }
            }
            #expect(try await ids("?at=2021-06-01") == [old])
            #expect(try await ids("?at=2021-12-31") == [old])
            #expect(try await ids("") == [current])
            #expect(try await ids("?at=all") == [old, current])
            expectProblem(try await api.get("/v1/councils/\(council)/members?at=yesterday"), .badRequest)
            expectProblem(try await api.get("/v1/councils/\(council)/members?at=2021-02-30"), .unprocessableContent)
            expectProblem(try await api.get("/v1/councils/cou_nothere/members"), .notFound)
        }
    }

    @Test func termsGroupsAndSeatsAreChecked() async throws {
        try await withAPI { api in
            let (m, _) = try await seedMunicipality(api)
            let council = try await seedCouncil(api, municipality: m)
            let path = "/v1/councils/\(council)/members"
            func post(_ body: String) async throws -> Reply { try await api.call(.post, path, token: api.service.admin, body: body) }

            let backwards = try await post(#"{"name":"A","role":"member","group":"users","term_start":"2025-01-01","term_end":"2024-12-31"}"#)
            expectProblem(backwards, .unprocessableContent)
            #expect(backwards.fieldErrors == ["term_end"])

            let noSeat = try await post(#"{"name":"A","role":"member","group":"politicians","term_start":"2025-01-01"}"#)
            #expect(noSeat.fieldErrors == ["group"])

            let staffVote = try await post(#"{"name":"A","role":"member","group":"staff","voting":true,"term_start":"2025-01-01"}"#)
            #expect(staffVote.fieldErrors == ["voting"])

            for name in ["A", "B", "C"] {
                #expect(try await post(#"{"name":"\#(name)","role":"member","group":"users","voting":true,"term_start":"2025-01-01","term_end":"2026-12-31"}"#).status == .created)
            }
            let fourth = try await post(#"{"name":"D","role":"member","group":"users","voting":true,"term_start":"2026-06-01"}"#)
            expectProblem(fourth, .unprocessableContent)
            #expect(fourth.fieldErrors == ["voting"])
            // The day after the three terms end, a new voting member fits.
            #expect(try await post(#"{"name":"E","role":"member","group":"users","voting":true,"term_start":"2027-01-01"}"#).status == .created)
            // Non-voting members of a seat group do not count against its seats.
            #expect(try await post(#"{"name":"F","role":"observer","group":"users","voting":false,"term_start":"2025-06-01"}"#).status == .created)
        }
    }

    @Test func deputiesBelongToTheSameCouncil() async throws {
        try await withAPI { api in
            let (m, _) = try await seedMunicipality(api)
            let council = try await seedCouncil(api, municipality: m)
            let other = try await seedCouncil(api, municipality: m, name: "Brugerråd Lærkebo")
            let chair = try await api.create("/v1/councils/\(council)/members", #"{"name":"Chair","role":"chair","group":"users","voting":true,"term_start":"2025-01-01"}"#)
            let elsewhere = try await api.create("/v1/councils/\(other)/members", #"{"name":"Elsewhere","role":"member","group":"users","voting":true,"term_start":"2025-01-01"}"#)

            let deputy = try await api.create("/v1/councils/\(council)/members", #"{"name":"Deputy","role":"member","group":"users","deputy_of":"\#(chair)","term_start":"2025-01-01"}"#)
            #expect(try await api.get("/v1/councils/\(council)/members/\(deputy)").string("deputy_of") == chair)

            let wrong = try await api.call(.post, "/v1/councils/\(council)/members", token: api.service.admin,
                                           body: #"{"name":"X","role":"member","group":"users","deputy_of":"\#(elsewhere)","term_start":"2025-01-01"}"#)
            expectProblem(wrong, .unprocessableContent)
            #expect(wrong.fieldErrors == ["deputy_of"])
            expectProblem(try await api.patch("/v1/councils/\(council)/members/\(deputy)", #"{"deputy_of":"\#(deputy)"}"#), .unprocessableContent)

            expectProblem(try await api.delete("/v1/councils/\(council)/members/\(chair)"), .conflict, "member-has-deputy")
            #expect(try await api.patch("/v1/councils/\(council)/members/\(deputy)", #"{"deputy_of":null}"#).status == .ok)
            #expect(try await api.delete("/v1/councils/\(council)/members/\(chair)").status == .noContent)
            expectProblem(try await api.get("/v1/councils/\(council)/members/\(chair)"), .notFound)
        }
    }

    @Test func shrinkingSeatsBelowTheMembersIsRefused() async throws {
        try await withAPI { api in
            let (m, _) = try await seedMunicipality(api)
            let council = try await seedCouncil(api, municipality: m)
            for name in ["A", "B"] {
                try await api.create("/v1/councils/\(council)/members", #"{"name":"\#(name)","role":"member","group":"users","voting":true,"term_start":"2025-01-01"}"#)
            }
            let reply = try await api.patch("/v1/councils/\(council)", #"{"seats":[{"group":"users","count":1,"voting":true}]}"#)
            expectProblem(reply, .unprocessableContent)
            #expect(reply.fieldErrors == ["seats"])
            #expect(try await api.patch("/v1/councils/\(council)", #"{"seats":[{"group":"users","count":2,"voting":true}]}"#).status == .ok)
        }
    }

    @Test func aMemberOfAnotherCouncilIsNotFoundUnderThisOne() async throws {
        try await withAPI { api in
            let (m, _) = try await seedMunicipality(api)
            let a = try await seedCouncil(api, municipality: m)
            let b = try await seedCouncil(api, municipality: m, name: "Other")
            let member = try await api.create("/v1/councils/\(a)/members", #"{"name":"A","role":"member","group":"users","term_start":"2025-01-01"}"#)
            expectProblem(try await api.get("/v1/councils/\(b)/members/\(member)"), .notFound)
            expectProblem(try await api.patch("/v1/councils/\(b)/members/\(member)", #"{"name":"B"}"#), .notFound)
        }
    }
}
