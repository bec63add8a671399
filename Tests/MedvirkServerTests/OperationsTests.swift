import Foundation
import MedvirkServer
import Testing

@Suite struct OperationsTests {
    @Test func rateLimitsAnswer429WithRetryAfterPerAddressAndPerToken() async throws {
        try await withAPI(configure: {
            $0.addressRateLimit = RateLimit(perMinute: 60, burst: 5)
            $0.tokenRateLimit = RateLimit(perMinute: 60, burst: 8)
        }) { api in
            for _ in 0..<5 { #expect(try await api.get("/v1/municipalities").status == .ok) }
            let limited = try await api.get("/v1/municipalities")
            expectProblem(limited, .tooManyRequests, "too-many-requests")
            #expect(limited["Retry-After"] == "1")
            #expect(limited["RateLimit-Policy"] == #""address";q=5;w=5"#)
            #expect(limited["RateLimit"] == #""address";r=0;t=1"#)
            // Probes stay reachable; a token has its own bucket.
            #expect(try await api.get("/healthz").status == .ok)
            for _ in 0..<8 { #expect(try await api.get("/v1/municipalities", token: api.service.admin).status == .ok) }
            let tokenLimited = try await api.get("/v1/municipalities", token: api.service.admin)
            expectProblem(tokenLimited, .tooManyRequests)
            #expect(tokenLimited["RateLimit-Policy"] == #""token";q=8;w=8"#)
            // Guessing tokens counts against the address.
            expectProblem(try await api.get("/v1/municipalities", token: "mvk_aaaaaaaaaaaa_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"), .tooManyRequests)
            // The buckets refill with time (the limiter runs on the service's clock).
            await api.service.clock.advance(by: 1)
            #expect(try await api.get("/v1/municipalities").status == .ok)
            expectProblem(try await api.get("/v1/municipalities"), .tooManyRequests)
        }
    }

    @Test func metricsCountRequestsByRouteCacheHitsAndBatches() async throws {
        try await withAPI { api in
            let (m, _) = try await seedMunicipality(api)
            let consultation = try await seedConsultation(api, municipality: m)
            let partner = try await api.service.token(.partner)
            #expect(try await submit(api, consultation, token: partner, key: "m1").status == .created)
            for _ in 0..<3 { _ = try await api.get("/v1/councils?municipality=\(m)") }
            _ = try await api.get("/v1/nowhere")
            let reply = try await api.get("/metrics", token: api.service.admin)
            #expect(reply.status == .ok && reply["Content-Type"]?.hasPrefix("text/plain") == true)
            #expect(reply["Cache-Control"] == "private, no-store")
            let text = reply.text
            #expect(text.contains(#"medvirk_http_requests_total{route="/v1/councils",method="GET",status="200"} 3"#))
            #expect(text.contains(#"medvirk_http_requests_total{route="unmatched",method="GET",status="404"} 1"#))
            #expect(text.contains(#"route="/v1/consultations/{consultation_id}/responses",method="POST",status="201"} 1"#))
            #expect(text.contains(#"medvirk_http_request_duration_seconds_bucket{route="/v1/councils",method="GET",le="+Inf"} 3"#))
            #expect(text.contains("medvirk_cache_hits_total 2") && text.contains("medvirk_cache_misses_total 1"))
            #expect(text.contains("medvirk_submission_batch_size_count 1"))
            #expect(text.contains("medvirk_database_bytes ") && !text.contains("medvirk_database_bytes 0\n"))
            // No ids or personal data in labels.
            #expect(!text.contains(consultation) && !text.contains("Jens"))
        }
    }
}
