import Foundation
import Testing

/// Issue 18 §1, the ground for webhooks: every feed entry names its event, and a partner token reads the
/// public view plus the events about its own responses (never another partner's, never the analysis).
@Suite struct FeedEventTests {
    /// `event id` pairs of the feed after `after` as `token` sees it.
    static func events(_ api: API, after: String, token: String? = nil) async throws -> [String] {
        try await feed(api, after: after, token: token).events.map { "\($0["event"] as! String) \($0["id"] as! String)" }
    }

    @Test func entriesNameTheirEventsAndPartnersSeeTheirOwnResponses() async throws {
        try await withAPI { api in
            let (m, _) = try await seedMunicipality(api)
            let start = try #require(try await feed(api, token: api.service.admin).next)
            let id = try await api.create("/v1/consultations", #"""
                {"municipality_id":"\#(m)","title":"Budget","status":"draft","short_period_reason":"Test",
                 "opens_at":"\#(rfc3339(api.service.clock.now() - 60))","closes_at":"\#(rfc3339(api.service.clock.now() + 86_400))"}
                """#)
            let (partnerId, partner) = try await api.service.tokenWithId(.partner, [m])
            let other = try await api.service.token(.partner, [m])
            // A draft's party linked to the partner stays unseen by it.
            try await api.create("/v1/consultations/\(id)/parties", #"{"name":"Foreningen","kind":"organisation","partner_token_id":"\#(partnerId)"}"#)
            #expect(try await Self.events(api, after: start, token: partner).isEmpty)
            try expectOK(try await api.patch("/v1/consultations/\(id)", #"{"status":"published"}"#))
            #expect(try await Self.events(api, after: start).contains("consultation.published \(id)"))
            #expect(try await Self.events(api, after: start, token: partner).contains { $0.hasPrefix("party.invited ") })

            let submitted = try await submit(api, id, token: partner, key: "k1")
            let response = try #require(submitted.string("id"))
            #expect(try await Self.events(api, after: start, token: api.service.admin).contains("response.received \(response)"))
            #expect(try await Self.events(api, after: start, token: partner).contains("response.received \(response)"))
            #expect(!(try await Self.events(api, after: start, token: other)).contains { $0.hasSuffix(response) })
            #expect(!(try await Self.events(api, after: start)).contains { $0.hasSuffix(response) })

            // The analysis is the administration's: admins see its event, the submitter does not.
            let beforeAnalysis = try #require(try await feed(api, after: start, token: api.service.admin).next)
            try expectOK(try await api.patch("/v1/responses/\(response)", #"{"analysis":{"summary":"Kort"}}"#))
            #expect(try await Self.events(api, after: beforeAnalysis, token: api.service.admin) == ["response.updated \(response)"])
            #expect(try await Self.events(api, after: beforeAnalysis, token: partner).isEmpty)

            try expectOK(try await api.patch("/v1/responses/\(response)", #"{"status":"withheld","withheld_reason":"Personoplysninger"}"#))
            #expect(try await Self.events(api, after: beforeAnalysis, token: partner).contains("response.withheld \(response)"))
            #expect(!(try await Self.events(api, after: beforeAnalysis)).contains { $0.hasSuffix(response) })
            try expectOK(try await api.patch("/v1/responses/\(response)", #"{"status":"published"}"#))
            #expect(try await Self.events(api, after: beforeAnalysis).contains("response.published \(response)"))

            let withdrawn = try await api.patch("/v1/consultations/\(id)", #"{"status":"withdrawn"}"#)
            try expectOK(withdrawn)
            #expect(try await Self.events(api, after: start, token: api.service.admin).contains("consultation.withdrawn \(id)"))
            // A token's view is its own; the public's is cacheable.
            #expect(try await api.get("/v1/changes", token: partner)["Cache-Control"] == "private, no-store")
            #expect(try await api.get("/v1/changes")["Cache-Control"] == "public, max-age=0")
        }
    }

    @Test func meetingsMinutesAndDecisionsNameTheirEvents() async throws {
        try await withAPI { api in
            let (m, _) = try await seedMunicipality(api)
            let council = try await seedCouncil(api, municipality: m)
            let start = try #require(try await feed(api, token: api.service.admin).next)
            let meeting = try await seedMeeting(api, municipality: m, council: council, extra: #","public":false"#)
            try expectOK(try await api.patch("/v1/meetings/\(meeting)", #"{"public":true}"#))
            #expect(try await Self.events(api, after: start).contains("meeting.published \(meeting)"))
            let item = try await api.create("/v1/meetings/\(meeting)/agenda-items", #"{"title":"Budget","kind":"advice"}"#)
            try expectOK(try await api.call(.put, "/v1/meetings/\(meeting)/minutes", token: api.service.admin, body: #"{"text":"Referat","present":[]}"#))
            let decision = try await api.create("/v1/meetings/\(meeting)/agenda-items/\(item)/decisions",
                                                #"{"text":"Rådet anbefaler forslaget","votes":{"for":0,"against":0,"abstain":0}}"#)
            #expect(try await Self.events(api, after: start).contains("decision.created \(decision)"))
            try expectOK(try await api.call(.post, "/v1/meetings/\(meeting)/minutes/approve", token: api.service.admin))
            #expect(try await Self.events(api, after: start).contains("minutes.approved \(meeting)"))
            try expectOK(try await api.patch("/v1/decisions/\(decision)/follow-up", #"{"status":"followed","feedback":"Fulgt."}"#))
            #expect(try await Self.events(api, after: start).contains("decision.follow_up_changed \(decision)"))
            try expectOK(try await api.patch("/v1/meetings/\(meeting)", #"{"status":"cancelled"}"#))
            #expect(try await Self.events(api, after: start).contains("meeting.cancelled \(meeting)"))
        }
    }
}

extension FeedEventTests {
    @Test func theClockAnnouncesOpeningClosingSoonAndClosingOnce() async throws {
        try await withAPI { api in
            let (m, _) = try await seedMunicipality(api)
            let id = try await seedConsultation(api, municipality: m, opensIn: 3600, closesIn: 5 * 86_400)
            let draft = try await api.create("/v1/consultations", #"""
                {"municipality_id":"\#(m)","title":"Kladde","opens_at":"\#(rfc3339(api.service.clock.now() + 60))","closes_at":"\#(rfc3339(api.service.clock.now() + 120))"}
                """#)
            let start = try #require(try await feed(api, token: api.service.admin).next)
            let store = api.service.store
            let jobs = store.timedJobs
            func runJobs() async throws { for job in jobs { try await job.run(api.service.clock.now()) } }
            func clockEvents() async throws -> [String] {
                try await Self.events(api, after: start).filter { $0.hasPrefix("consultation.opened") || $0.hasPrefix("consultation.closing_soon") || $0.hasPrefix("consultation.closed") }
            }
            try await runJobs()
            #expect(try await clockEvents().isEmpty)
            // The scheduler is told when the next moment falls: the opening, an hour from now.
            var next: [Date] = []
            for job in jobs { if let due = try await job.nextDue(api.service.clock.now()) { next.append(due) } }
            #expect(next.min() == api.service.clock.now() + 3600)
            await api.service.clock.advance(by: 3600)
            try await runJobs()
            try await runJobs()
            #expect(try await clockEvents() == ["consultation.opened \(id)"])
            // 72 hours before the deadline: closing soon; at the deadline: closed. A draft has no moments.
            await api.service.clock.advance(by: 2 * 86_400 - 3600)
            try await runJobs()
            #expect(try await clockEvents() == ["consultation.opened \(id)", "consultation.closing_soon \(id)"])
            await api.service.clock.advance(by: 3 * 86_400)
            try await runJobs()
            #expect(try await clockEvents() == ["consultation.opened \(id)", "consultation.closing_soon \(id)", "consultation.closed \(id)"])
            #expect(!(try await Self.events(api, after: start, token: api.service.admin)).contains { $0.hasSuffix(draft) })
        }
    }

    @Test func closingSoonNeverPrecedesTheOpeningAndAMovedDeadlineIsAnnouncedAgain() async throws {
        try await withAPI { api in
            let (m, _) = try await seedMunicipality(api)
            let start = try #require(try await feed(api, token: api.service.admin).next)
            // Open for two hours, an hour from now: closing soon (72 h ahead) is due before it opens.
            let id = try await seedConsultation(api, municipality: m, opensIn: 3600, closesIn: 3 * 3600)
            func clockEvents() async throws -> [String] {
                try await Self.events(api, after: start).filter { $0.hasSuffix(id) && !$0.hasPrefix("consultation.updated") && !$0.hasPrefix("consultation.published") }
            }
            #expect(try await clockEvents().isEmpty)
            await api.service.clock.advance(by: 3600)
            #expect(try await clockEvents() == ["consultation.opened \(id)", "consultation.closing_soon \(id)"])
            await api.service.clock.advance(by: 2 * 3600)
            #expect(try await clockEvents().last == "consultation.closed \(id)")
            // Reopened for five days: it will close soon, and close, again.
            try expectOK(try await api.patch("/v1/consultations/\(id)", #"{"closes_at":"\#(rfc3339(api.service.clock.now() + 5 * 86_400))"}"#))
            await api.service.clock.advance(by: 2 * 86_400)
            await api.service.clock.advance(by: 3 * 86_400)
            #expect(try await clockEvents() == ["consultation.opened \(id)", "consultation.closing_soon \(id)", "consultation.closed \(id)",
                                               "consultation.closing_soon \(id)", "consultation.closed \(id)"])
        }
    }
}
