import Testing

@Suite struct MunicipalityTests {
    @Test func createReadListUpdateDelete() async throws {
        try await withAPI { api in
            let created = try await api.call(.post, "/v1/municipalities", token: api.service.admin,
                                             body: #"{"id":"rudersdal","name":"Rudersdal Kommune","country":"DK","time_zone":"Europe/Copenhagen","website":"https://www.rudersdal.dk"}"#)
            #expect(created.status == .created)
            #expect(created["Location"] == "/v1/municipalities/rudersdal")
            #expect(created.string("time_zone") == "Europe/Copenhagen")

            let one = try await api.get("/v1/municipalities/rudersdal")
            #expect(one.status == .ok)
            #expect(one.string("name") == "Rudersdal Kommune")
            #expect(one.string("website") == "https://www.rudersdal.dk")

            let list = try await api.get("/v1/municipalities")
            #expect(list.data.map { $0["id"] as? String } == ["rudersdal"])
            #expect(list.text.contains(#""next_cursor":null"#))

            let patched = try await api.patch("/v1/municipalities/rudersdal", #"{"name":"Rudersdal","website":null}"#)
            #expect(patched.status == .ok)
            #expect(patched.string("name") == "Rudersdal")
            #expect(patched.json["website"] == nil)
            #expect(patched.string("country") == "DK")

            #expect(try await api.delete("/v1/municipalities/rudersdal").status == .noContent)
            expectProblem(try await api.get("/v1/municipalities/rudersdal"), .notFound, "not-found")
            expectProblem(try await api.call(.post, "/v1/municipalities", token: api.service.admin,
                                             body: #"{"id":"rudersdal","name":"Again","country":"DK","time_zone":"Europe/Copenhagen"}"#), .conflict, "id-taken")
        }
    }

    @Test func rulesAreUnprocessableWithFieldErrors() async throws {
        try await withAPI { api in
            let reply = try await api.call(.post, "/v1/municipalities", token: api.service.admin,
                                           body: #"{"id":"Not A Slug","name":" ","country":"NO","time_zone":"Europe/Atlantis","website":"ftp://x"}"#)
            expectProblem(reply, .unprocessableContent, "validation-failed")
            #expect(Set(reply.fieldErrors) == ["id", "name", "time_zone", "website"])
        }
    }

    @Test func deletingAMunicipalityWithCouncilsIsAConflict() async throws {
        try await withAPI { api in
            let (m, _) = try await seedMunicipality(api)
            try await seedCouncil(api, municipality: m)
            expectProblem(try await api.delete("/v1/municipalities/\(m)"), .conflict, "municipality-not-empty")
            #expect(try await api.get("/v1/municipalities/\(m)").status == .ok)
        }
    }

    @Test func onlyAnAllMunicipalityAdminCreatesMunicipalities() async throws {
        try await withAPI { api in
            let (m, _) = try await seedMunicipality(api)
            let local = try await api.service.token(.admin, [m])
            let body = #"{"id":"other","name":"Other","country":"DK","time_zone":"Europe/Copenhagen"}"#
            expectProblem(try await api.call(.post, "/v1/municipalities", body: body), .unauthorized, "unauthenticated")
            expectProblem(try await api.call(.post, "/v1/municipalities", token: local, body: body), .forbidden, "forbidden")
            #expect(try await api.patch("/v1/municipalities/\(m)", #"{"name":"Renamed"}"#, token: local).status == .ok)
        }
    }
}
