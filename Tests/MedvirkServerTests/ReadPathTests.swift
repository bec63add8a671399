import CompressNIO
import Foundation
import HTTPTypes
import NIOCore
import Testing

@Suite struct ReadPathTests {
    /// Fetches raw bytes (the Reply type reads bodies as text).
    func raw(_ api: API, _ uri: String, headers: [String: String] = [:]) async throws -> (HTTPResponse.Status, HTTPFields, ByteBuffer) {
        var fields = HTTPFields()
        for (name, value) in headers { fields[HTTPField.Name(name)!] = value }
        let response = try await api.client.execute(uri: uri, method: .get, headers: fields, body: nil)
        return (response.status, response.headers, response.body)
    }

    @Test func aCachedPublicReadIsServedWithoutTheDatabase() async throws {
        try await withAPI { api in
            let (m, area) = try await seedMunicipality(api)
            try await seedCouncil(api, municipality: m, area: area)
            let list = "/v1/councils?municipality=\(m)"
            let first = try await api.get(list)
            #expect(first.status == .ok && first.data.count == 1)
            try api.service.store.close()
            // The database is gone; the cached answer, its ETag and 304 are not.
            let again = try await api.get(list)
            #expect(again.status == .ok && again.text == first.text && again["ETag"] == first["ETag"])
            #expect(again["Cache-Control"] == first["Cache-Control"] && again["X-Request-Id"] != first["X-Request-Id"])
            #expect(try await api.get(list, headers: ["If-None-Match": first["ETag"]!]).status == .notModified)
            // Authenticated reads are never cached.
            #expect(try await api.get(list, token: api.service.admin).status.code >= 500)
        }
    }

    @Test func withTheCacheOffEveryReadGoesToTheDatabase() async throws {
        try await withAPI(configure: { $0.cacheBytes = 0 }) { api in
            let (m, _) = try await seedMunicipality(api)
            #expect(try await api.get("/v1/councils?municipality=\(m)").status == .ok)
            try api.service.store.close()
            #expect(try await api.get("/v1/councils?municipality=\(m)").status.code >= 500)
        }
    }

    /// The cache never holds more than its byte budget; the least recently used answers make room.
    @Test func theCacheStaysWithinItsByteBudget() async throws {
        try await withAPI(configure: { $0.cacheBytes = 2_400 }) { api in
            let (m, area) = try await seedMunicipality(api)
            var councils: [String] = []
            for n in 0..<12 { councils.append(try await seedCouncil(api, municipality: m, area: area, name: "Råd \(n)")) }
            let areaPath = "/v1/service-areas/\(area)"
            for _ in 0..<3 {
                #expect(try await api.get(areaPath).status == .ok)
                for council in councils { _ = try await api.get("/v1/councils/\(council)/members") }
            }
            let metrics = try await api.get("/metrics", token: api.service.admin).text
            let line = try #require(metrics.split(separator: "\n").first { $0.hasPrefix("medvirk_cache_bytes ") })
            let bytes = try #require(Double(line.split(separator: " ")[1]))
            #expect(bytes > 0 && bytes <= 2_400, "cache holds \(bytes) bytes")
            // Twelve member lists and the service area cannot all fit, so some reads missed more than once.
            let misses = try #require(metrics.split(separator: "\n").first { $0.hasPrefix("medvirk_cache_misses_total ") })
            #expect(Double(misses.split(separator: " ")[1])! > 13)
        }
    }

    /// Readers hammer the cached public views while an admin writes; each read after a 2xx write sees it.
    @Test func noReadIsStaleAfterASuccessfulWrite() async throws {
        try await withAPI { api in
            let (m, area) = try await seedMunicipality(api)
            let council = try await seedCouncil(api, municipality: m, area: area)
            let views = ["/v1/councils/\(council)", "/v1/councils?municipality=\(m)", "/v1/councils", "/v1/changes?municipality=\(m)"]
            let writing = Flag()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for reader in 0..<3 {
                    group.addTask {
                        var n = 0
                        while await !writing.isDone {
                            _ = try await api.get(views[(reader + n) % views.count])
                            n += 1
                        }
                    }
                }
                group.addTask {
                    defer { Task { await writing.finish() } }
                    for round in 0..<25 {
                        let name = "Brugerråd runde \(round)"
                        try expectOK(try await api.patch("/v1/councils/\(council)", #"{"name":"\#(name)"}"#))
                        #expect(try await api.get("/v1/councils/\(council)").string("name") == name)
                        #expect(try await api.get("/v1/councils?municipality=\(m)").data.first?["name"] as? String == name)
                        #expect(try await api.get("/v1/councils").data.first?["name"] as? String == name)
                        let events = try await api.get("/v1/changes?municipality=\(m)").data
                        #expect(events.filter { $0["type"] as? String == "council" }.count == round + 2)
                    }
                    await writing.finish()
                }
                try await group.waitForAll()
            }
        }
    }

    @Test func largeTextAnswersAreGzippedWithTheirOwnETag() async throws {
        try await withAPI { api in
            let (m, area) = try await seedMunicipality(api)
            for n in 0..<12 { try await seedCouncil(api, municipality: m, area: area, name: "Brugerråd nr. \(n)") }
            let list = "/v1/councils?municipality=\(m)"
            let (_, plainHeaders, plainBody) = try await raw(api, list)
            #expect(plainHeaders[.contentEncoding] == nil && plainBody.readableBytes > 1024)
            #expect(plainHeaders[.vary]?.contains("Accept-Encoding") == true)

            let (status, headers, body) = try await raw(api, list, headers: ["Accept-Encoding": "br;q=1, gzip;q=0.8"])
            #expect(status == .ok && headers[.contentEncoding] == "gzip")
            #expect(headers[.vary]?.contains("Accept-Encoding") == true && body.readableBytes < plainBody.readableBytes)
            #expect(headers[.contentLength] == String(body.readableBytes))
            var compressed = body
            #expect(try compressed.decompress(with: .gzip()) == plainBody)
            let tag = try #require(headers[.eTag])
            #expect(tag != plainHeaders[.eTag] && tag.hasSuffix("-gzip\""))
            // Conditional requests compare the representation asked for.
            #expect(try await raw(api, list, headers: ["Accept-Encoding": "gzip", "If-None-Match": tag]).0 == .notModified)
            #expect(try await raw(api, list, headers: ["If-None-Match": tag]).0 == .ok)
            #expect(try await raw(api, list, headers: ["Accept-Encoding": "gzip;q=0", "If-None-Match": plainHeaders[.eTag]!]).0 == .notModified)

            // Varying on the encoding keeps CORS's Vary: Origin.
            try await withAPI(configure: { $0.corsOrigins = ["https://www.fjordby.dk"] }) { cors in
                let (n, _) = try await seedMunicipality(cors)
                let (_, varied, _) = try await raw(cors, "/v1/municipalities/\(n)", headers: ["Origin": "https://www.fjordby.dk"])
                #expect(varied[.vary]?.contains("Origin") == true && varied[.vary]?.contains("Accept-Encoding") == true)
                #expect(varied[.accessControlAllowOrigin] == "https://www.fjordby.dk")
            }
            // Small answers stay plain.
            let (_, small, _) = try await raw(api, "/v1/municipalities/\(m)", headers: ["Accept-Encoding": "gzip"])
            #expect(small[.contentEncoding] == nil)
            // A gzip ETag is as good as the plain one for If-Match.
            let council = try #require(try await api.get(list).data.first?["id"] as? String)
            let long = String(repeating: "Rådet mødes fire gange om året. ", count: 40)
            try expectOK(try await api.patch("/v1/councils/\(council)", #"{"description":"\#(long)"}"#))
            let (_, one, _) = try await raw(api, "/v1/councils/\(council)", headers: ["Accept-Encoding": "gzip"])
            let gzTag = try #require(one[.eTag])
            #expect(one[.contentEncoding] == "gzip" && gzTag.hasSuffix("-gzip\""))
            #expect(try await api.patch("/v1/councils/\(council)", #"{"unit":"Skolen"}"#, headers: ["If-Match": gzTag]).status == .ok)
            expectProblem(try await api.patch("/v1/councils/\(council)", #"{"unit":"Igen"}"#, headers: ["If-Match": gzTag]), .preconditionFailed)
        }
    }
}
