import Testing

@Suite struct ServiceAreaTests {
    @Test func crudAndFilterByMunicipality() async throws {
        try await withAPI { api in
            let (m, area) = try await seedMunicipality(api)
            let (other, _) = try await seedMunicipality(api, id: "andenby")
            let list = try await api.get("/v1/service-areas?municipality=\(m)")
            #expect(list.data.map { $0["id"] as? String } == [area])
            #expect(try await api.get("/v1/service-areas").data.count == 2)
            #expect(try await api.get("/v1/service-areas?municipality=\(other)").data.count == 1)

            let patched = try await api.patch("/v1/service-areas/\(area)", #"{"description":"Hjemmepleje og plejecentre"}"#)
            #expect(patched.string("description") == "Hjemmepleje og plejecentre")
            #expect(patched.string("name") == "Ældre og Sundhed")
            expectProblem(try await api.patch("/v1/service-areas/\(area)", #"{"name":null}"#), .badRequest)
            expectProblem(try await api.patch("/v1/service-areas/\(area)", #"{"municipality_id":"andenby"}"#), .badRequest)

            #expect(try await api.delete("/v1/service-areas/\(area)").status == .noContent)
            expectProblem(try await api.get("/v1/service-areas/\(area)"), .notFound)
        }
    }

    @Test func unknownMunicipalityIsUnprocessable() async throws {
        try await withAPI { api in
            let reply = try await api.call(.post, "/v1/service-areas", token: api.service.admin, body: #"{"municipality_id":"nowhere","name":"Kultur"}"#)
            expectProblem(reply, .unprocessableContent)
            #expect(reply.fieldErrors == ["municipality_id"])
        }
    }

    @Test func aServiceAreaWithCouncilsCannotBeDeleted() async throws {
        try await withAPI { api in
            let (m, area) = try await seedMunicipality(api)
            try await seedCouncil(api, municipality: m, area: area)
            expectProblem(try await api.delete("/v1/service-areas/\(area)"), .conflict, "service-area-in-use")
        }
    }
}
