import Foundation
import Testing

/// The store stamps every time from its one settable clock: moving the clock moves created_at, updated_at,
/// the audit log and the change feed (issue 15 §1).
@Suite struct ClockTests {
    @Test func everyStampFollowsTheStoresClock() async throws {
        try await withAPI { api in
            await api.service.clock.set(Date(timeIntervalSince1970: 1_893_456_000))  // 2030-01-01T00:00:00Z
            let (m, _) = try await seedMunicipality(api)
            let council = try await seedCouncil(api, municipality: m)
            let created = try await api.get("/v1/councils/\(council)")
            #expect(created.string("created_at") == "2030-01-01T00:00:00Z" && created.string("updated_at") == "2030-01-01T00:00:00Z")
            await api.service.clock.advance(by: 90.75)
            let patched = try await api.patch("/v1/councils/\(council)", #"{"description":"Nyt"}"#)
            #expect(patched.string("updated_at") == "2030-01-01T00:01:30Z" && patched.string("created_at") == "2030-01-01T00:00:00Z")
            let audit = try await api.get("/v1/admin/audit?limit=1", token: api.service.admin)
            #expect(audit.data.first?["at"] as? String == "2030-01-01T00:01:30Z", "\(audit.text)")
            let feed = try await api.get("/v1/changes?municipality=\(m)&limit=100", token: api.service.admin)
            #expect(feed.data.last?["at"] as? String == "2030-01-01T00:01:30Z", "\(feed.text)")
            #expect(try await api.get("/v1/municipalities/\(m)").string("created_at") == "2030-01-01T00:00:00Z")
        }
    }
}
