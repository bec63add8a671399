import Foundation
import Testing

@Suite struct SharedBehaviourTests {
    @Test func etagsAreStrongQuotedAndAnswer304() async throws {
        try await withAPI { api in
            let (m, _) = try await seedMunicipality(api)
            let first = try await api.get("/v1/municipalities/\(m)")
            let etag = try #require(first["ETag"])
            #expect(etag.hasPrefix("\"") && etag.hasSuffix("\"") && !etag.hasPrefix("W/"))
            #expect(!etag.contains("%"))
            #expect(first["Cache-Control"] == "public, max-age=60")

            let again = try await api.get("/v1/municipalities/\(m)", headers: ["If-None-Match": etag])
            #expect(again.status == .notModified)
            #expect(again.text.isEmpty)
            #expect(again["ETag"] == etag)
            #expect(try await api.get("/v1/municipalities/\(m)", headers: ["If-None-Match": "\"other\", W/\(etag)"]).status == .notModified)

            _ = try await api.patch("/v1/municipalities/\(m)", #"{"name":"Changed"}"#)
            let changed = try await api.get("/v1/municipalities/\(m)", headers: ["If-None-Match": etag])
            #expect(changed.status == .ok)
            #expect(changed["ETag"] != etag)

            let list = try await api.get("/v1/councils?municipality=\(m)")
            #expect(try await api.get("/v1/councils?municipality=\(m)", headers: ["If-None-Match": list["ETag"]!]).status == .notModified)
        }
    }

    @Test func ifMatchGuardsWrites() async throws {
        try await withAPI { api in
            let (m, _) = try await seedMunicipality(api)
            let council = try await seedCouncil(api, municipality: m)
            let etag = try #require(try await api.get("/v1/councils/\(council)", token: api.service.admin)["ETag"])

            let ok = try await api.patch("/v1/councils/\(council)", #"{"description":"First"}"#, headers: ["If-Match": etag])
            #expect(ok.status == .ok)
            let stale = try await api.patch("/v1/councils/\(council)", #"{"description":"Second"}"#, headers: ["If-Match": etag])
            expectProblem(stale, .preconditionFailed, "precondition-failed")
            #expect(try await api.get("/v1/councils/\(council)").string("description") == "First")

            expectProblem(try await api.delete("/v1/councils/\(council)", headers: ["If-Match": etag]), .preconditionFailed)
            // A value that is not an entity-tag list matches nothing (412, saying why); a tag may hold a comma.
            let unquoted = try await api.delete("/v1/councils/\(council)", headers: ["If-Match": "not-quoted"])
            expectProblem(unquoted, .preconditionFailed, "precondition-failed")
            #expect(unquoted.fieldErrors == ["If-Match"])
            let listed = try await api.delete("/v1/councils/\(council)", headers: ["If-Match": #"W/"a,b", "c'd\e" , , "x""#])
            expectProblem(listed, .preconditionFailed)
            #expect(listed.text.contains("has changed"), "a well-formed list is compared, not refused: \(listed.text)")
            let fresh = try #require(ok["ETag"])
            #expect(try await api.delete("/v1/councils/\(council)", headers: ["If-Match": fresh]).status == .noContent)
        }
    }

    @Test func authenticationAndScopes() async throws {
        try await withAPI { api in
            let (m, _) = try await seedMunicipality(api)
            let (n, _) = try await seedMunicipality(api, id: "andenby")
            let body = #"{"municipality_id":"\#(m)","name":"Kultur"}"#
            expectProblem(try await api.call(.post, "/v1/service-areas", body: body), .unauthorized, "unauthenticated")
            let bad = try await api.call(.post, "/v1/service-areas", token: "mvk_aaaaaaaaaaaa_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", body: body)
            expectProblem(bad, .unauthorized, "invalid-token")
            #expect(bad["WWW-Authenticate"]?.hasPrefix("Bearer") == true)
            expectProblem(try await api.get("/v1/municipalities", token: "garbage"), .unauthorized, "invalid-token")

            let partner = try await api.service.token(.partner)
            expectProblem(try await api.call(.post, "/v1/service-areas", token: partner, body: body), .forbidden)
            let local = try await api.service.token(.admin, [n])
            expectProblem(try await api.call(.post, "/v1/service-areas", token: local, body: body), .forbidden)
            #expect(try await api.call(.post, "/v1/service-areas", token: local, body: #"{"municipality_id":"\#(n)","name":"Kultur"}"#).status == .created)

            let (info, revoked) = try await api.service.store.createToken(name: "Old", scope: .admin, municipalities: [])
            #expect(try await api.call(.post, "/v1/service-areas", token: revoked, body: body).status == .created)
            _ = try await api.service.store.revokeToken(info.id)
            expectProblem(try await api.call(.post, "/v1/service-areas", token: revoked, body: body), .unauthorized, "invalid-token")
        }
    }

    @Test func malformedRequestsGetProblems() async throws {
        try await withAPI { api in
            let admin = api.service.admin
            expectProblem(try await api.get("/nowhere"), .notFound, "not-found")
            let wrongMethod = try await api.call(.put, "/v1/councils", token: admin, body: "{}")
            expectProblem(wrongMethod, .methodNotAllowed, "method-not-allowed")
            #expect(wrongMethod["Allow"] == "GET, POST, HEAD, OPTIONS")
            expectProblem(try await api.call(.post, "/v1/municipalities", token: admin, body: "id=x", contentType: "application/x-www-form-urlencoded"),
                          .unsupportedMediaType, "unsupported-media-type")
            expectProblem(try await api.call(.post, "/v1/municipalities", token: admin, body: "{\"id\":"), .badRequest)
            expectProblem(try await api.call(.post, "/v1/municipalities", token: admin, body: "{\"id\":\"ab\",\"name\":\"x\",\"country\":\"DK\",\"time_zone\":\"UTC\",\"typo\":1}"), .badRequest)
            let huge = "{\"id\":\"ab\",\"name\":\"" + String(repeating: "x", count: 1_100_000) + "\"}"
            expectProblem(try await api.call(.post, "/v1/municipalities", token: admin, body: huge), .contentTooLarge, "payload-too-large")
            expectProblem(try await api.get("/v1/councils", headers: ["Accept": "text/html"]), .notAcceptable)
            #expect(try await api.get("/v1/municipalities").data.isEmpty, "nothing was stored by the bad requests")
        }
    }

    @Test func paginationLimitsAndCursors() async throws {
        try await withAPI { api in
            for i in 0..<5 {
                try await api.create("/v1/municipalities", #"{"id":"m\#(i)","name":"M\#(i)","country":"DK","time_zone":"Europe/Copenhagen"}"#)
            }
            let first = try await api.get("/v1/municipalities?limit=2")
            #expect(first.data.map { $0["id"] as? String } == ["m0", "m1"])
            let cursor = try #require(first.string("next_cursor"))
            #expect(first["Link"] == "</v1/municipalities?limit=2&cursor=\(cursor)>; rel=\"next\"")

            // Rows inserted while paging appear at the end and never shift or repeat what was read.
            try await api.create("/v1/municipalities", #"{"id":"m5","name":"M5","country":"DK","time_zone":"Europe/Copenhagen"}"#)
            var seen = first.data.compactMap { $0["id"] as? String }
            var next: String? = cursor
            while let page = next {
                let reply = try await api.get("/v1/municipalities?limit=2&cursor=\(page)")
                seen += reply.data.compactMap { $0["id"] as? String }
                next = reply.string("next_cursor")
            }
            #expect(seen == ["m0", "m1", "m2", "m3", "m4", "m5"])

            expectProblem(try await api.get("/v1/municipalities?limit=0"), .badRequest, "invalid-limit")
            expectProblem(try await api.get("/v1/municipalities?limit=201"), .badRequest, "invalid-limit")
            expectProblem(try await api.get("/v1/municipalities?limit=ten"), .badRequest)
            expectProblem(try await api.get("/v1/municipalities?cursor=bogus"), .badRequest, "invalid-cursor")
        }
    }

    @Test func concurrentInsertsNeverDisturbAPagedRead() async throws {
        try await withAPI { api in
            let (m, _) = try await seedMunicipality(api)
            for i in 0..<20 { try await seedCouncil(api, municipality: m, name: "Råd \(i)") }
            let writer = Task {
                for i in 20..<40 { try await seedCouncil(api, municipality: m, name: "Råd \(i)") }
            }
            var names: [String] = []
            var cursor: String?
            repeat {
                let reply = try await api.get("/v1/councils?municipality=\(m)&limit=3" + (cursor.map { "&cursor=\($0)" } ?? ""))
                names += reply.data.compactMap { $0["name"] as? String }
                cursor = reply.string("next_cursor")
            } while cursor != nil
            try await writer.value
            #expect(Set(names).count == names.count, "no council is listed twice")
            #expect(names.prefix(20) == ArraySlice((0..<20).map { "Råd \($0)" }), "every council that existed at the start is listed in order")
        }
    }

    @Test func requestIdsCorsAndOperationalEndpoints() async throws {
        try await withAPI { api in
            #expect(try await api.get("/healthz", headers: ["X-Request-Id": "abc-123"])["X-Request-Id"] == "abc-123")
            #expect(try await api.get("/healthz")["X-Request-Id"]?.count == 36)
            let ready = try await api.get("/readyz")
            #expect(ready.status == .ok && ready.string("status") == "ok")
            let contract = try await api.get("/openapi.yaml")
            #expect(contract.status == .ok && contract.text == contractText)

            let cors = try await api.get("/v1/councils", headers: ["Origin": "https://www.testby.dk"])
            #expect(cors["Access-Control-Allow-Origin"] == "*")
            let preflight = try await api.call(.options, "/v1/councils", headers: ["Origin": "https://www.testby.dk", "Access-Control-Request-Method": "GET"])
            #expect(preflight.status == .noContent || preflight.status == .ok)
            #expect(preflight["Access-Control-Allow-Methods"]?.contains("GET") == true)
            let options = try await api.call(.options, "/v1/councils/abc")
            #expect(options["Allow"] == "GET, PATCH, DELETE, HEAD, OPTIONS")
            // HEAD sends what GET would send, Content-Length included (RFC 9110 §9.3.2), for a cached or fresh
            // answer, plain or gzipped.
            for (path, headers) in [("/v1/municipalities", [:]), ("/v1/councils", [:]), ("/v1/councils", ["Accept-Encoding": "gzip"])] {
                let get = try await api.get(path, headers: headers)
                let head = try await api.call(.head, path, headers: headers)
                #expect(head.status == .ok && head.text.isEmpty && head["ETag"] == get["ETag"])
                #expect(head["Content-Length"] == get["Content-Length"] && head["Content-Length"] != "0", "\(path) \(headers)")
            }
            // A streamed export has no length before it is written: its HEAD claims none, never 0.
            let (m, _) = try await seedMunicipality(api)
            let export = try await api.call(.head, "/v1/municipalities/\(m)/export", token: api.service.admin)
            #expect(export.status == .ok && export["Content-Length"] == nil && export["ETag"] != nil, "\(export.headers)")
            // Probes answer whatever query a monitor adds.
            #expect(try await api.get("/healthz?nocache=1").status == .ok)
        }
    }

    @Test func adminWritesAreAudited() async throws {
        try await withAPI { api in
            let (m, _) = try await seedMunicipality(api)
            let council = try await seedCouncil(api, municipality: m)
            _ = try await api.patch("/v1/councils/\(council)", #"{"description":"x"}"#, headers: ["X-Request-Id": "req-42"])
            let audit = try await api.get("/v1/admin/audit?limit=1", token: api.service.admin)
            let entry = try #require(audit.data.first)
            #expect(entry["method"] as? String == "PATCH")
            #expect(entry["path"] as? String == "/v1/councils/\(council)")
            #expect(entry["resource_id"] as? String == council)
            #expect(entry["request_id"] as? String == "req-42")
            #expect(entry["token_name"] as? String == "Test admin")
            #expect(try await api.get("/v1/admin/audit", token: api.service.admin).data.count == 4)
            let second = try await api.get("/v1/admin/audit?limit=2", token: api.service.admin)
            let rest = try await api.get("/v1/admin/audit?limit=2&cursor=\(second.string("next_cursor")!)", token: api.service.admin)
            #expect(rest.data.count == 2 && rest.data.last?["method"] as? String == "POST")

            expectProblem(try await api.get("/v1/admin/audit"), .unauthorized)
            expectProblem(try await api.get("/v1/admin/audit", token: try await api.service.token(.partner)), .forbidden)
            try await api.create("/v1/municipalities", #"{"id":"andenby","name":"Andenby","country":"NO","time_zone":"Europe/Oslo"}"#)
            let other = try await api.service.token(.admin, ["andenby"])
            let seen = try await api.get("/v1/admin/audit", token: other).data
            #expect(seen.count == 1 && seen.first?["municipality_id"] as? String == "andenby")
            expectProblem(try await api.get("/v1/admin/audit?municipality=\(m)", token: other), .forbidden)
        }
    }
}
