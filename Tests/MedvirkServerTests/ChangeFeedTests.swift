import Foundation
import Testing

/// One page of the feed: (type, id, action) triples, the cursor and the raw reply.
struct FeedPage {
    let reply: Reply
    var events: [[String: any Sendable]] { reply.data }
    var triples: [String] { events.map { "\($0["type"] as! String) \($0["id"] as! String) \($0["action"] as! String)" } }
    var next: String? { reply.string("next_cursor") }
}

func feed(_ api: API, after: String = "0", limit: Int = 200, municipality: String? = nil, token: String? = nil) async throws -> FeedPage {
    let filter = municipality.map { "&municipality=\($0)" } ?? ""
    let reply = try await api.get("/v1/changes?after=\(after)&limit=\(limit)\(filter)", token: token)
    try #require(reply.status == .ok, "feed gave \(reply.status): \(reply.text)")
    return FeedPage(reply: reply)
}

/// Everything after `cursor`, page by page; returns the triples and the cursor to poll next.
func drain(_ api: API, after cursor: String, token: String? = nil, limit: Int = 200) async throws -> ([String], String) {
    var cursor = cursor
    var triples: [String] = []
    while true {
        let page = try await feed(api, after: cursor, limit: limit, token: token)
        triples += page.triples
        let next = try #require(page.next)
        if page.events.isEmpty { return (triples, next) }
        cursor = next
    }
}

@Suite struct ChangeFeedTests {
    @Test func everyWriteIsAnEventInCommitOrderAndTheCursorIsStable() async throws {
        try await withAPI { api in
            let (m, area) = try await seedMunicipality(api)
            let council = try await seedCouncil(api, municipality: m, area: area)
            let member = try await api.create("/v1/councils/\(council)/members", #"{"name":"Else","role":"chair","group":"users","voting":true,"term_start":"2025-01-01"}"#)
            #expect(try await api.patch("/v1/councils/\(council)/members/\(member)", #"{"email":"else@example.dk"}"#).status == .ok)
            #expect(try await api.delete("/v1/councils/\(council)/members/\(member)").status == .noContent)

            let all = try await feed(api, token: api.service.admin)
            #expect(all.triples == ["municipality \(m) created", "service_area \(area) created", "council \(council) created",
                                    "member \(member) created", "member \(member) updated", "member \(member) deleted"])
            let seqs = all.events.map { $0["seq"] as! Int }
            #expect(seqs == seqs.sorted() && Set(seqs).count == seqs.count)
            #expect(all.events[3]["href"] as? String == "/v1/councils/\(council)/members/\(member)")
            #expect(all.events.allSatisfy { $0["municipality_id"] as? String == m && $0["at"] is String })

            // Pages of two follow each other without gaps or repeats, and every page links to the next.
            var cursor = "0"
            var paged: [String] = []
            for _ in 0..<3 {
                let page = try await feed(api, after: cursor, limit: 2, token: api.service.admin)
                paged += page.triples
                let next = try #require(page.next)
                #expect(page.reply["Link"] == "</v1/changes?limit=2&after=\(next)>; rel=\"next\"")
                cursor = next
            }
            #expect(paged == all.triples)
            // An empty page hands back the same cursor to poll with, and still links to it.
            let empty = try await feed(api, after: cursor, token: api.service.admin)
            #expect(empty.events.isEmpty && empty.next == cursor)
            #expect(empty.reply["Link"]?.contains("after=\(cursor)") == true)
            #expect(empty.reply.text.contains(#""next_cursor":"\#(cursor)""#))
            // A write after the end shows up on the next poll.
            let area2 = try await api.create("/v1/service-areas", #"{"municipality_id":"\#(m)","name":"Kultur"}"#)
            #expect(try await feed(api, after: cursor, token: api.service.admin).triples == ["service_area \(area2) created"])

            // The public sees the same events here: nothing in them is private.
            #expect(try await feed(api).triples == all.triples + ["service_area \(area2) created"])
            // ETag and 304 as for every GET.
            let first = try await api.get("/v1/changes?after=0")
            let tag = try #require(first["ETag"])
            #expect(first["Cache-Control"] == "public, max-age=0")
            #expect(try await api.get("/v1/changes?after=0", headers: ["If-None-Match": tag]).status == .notModified)
        }
    }

    @Test func badParametersAreClearErrors() async throws {
        try await withAPI { api in
            let (m, _) = try await seedMunicipality(api)
            for bad in ["abc", "-1", "-0", "+5", "1.5", "1234567890123456789", "%C3%A6", ""] {
                let reply = try await api.get("/v1/changes?after=\(bad)")
                expectProblem(reply, .badRequest)
                #expect(reply.status == .badRequest, "after=\(bad)")
            }
            expectProblem(try await api.get("/v1/changes?limit=0"), .badRequest, "invalid-limit")
            expectProblem(try await api.get("/v1/changes?limit=201"), .badRequest, "invalid-limit")
            expectProblem(try await api.get("/v1/changes?municipality=nowhere"), .notFound)
            #expect(try await feed(api, municipality: m).events.count == 2)
            // A cursor past the end is just an empty page.
            #expect(try await feed(api, after: "999999").next == "999999")
        }
    }

    @Test func thePublicSeesOnlyWhatItCanReadAndVisibilityFlipsAsCreatedOrDeleted() async throws {
        try await withAPI { api in
            let (m, _) = try await seedMunicipality(api)
            let (n, _) = try await seedMunicipality(api, id: "andenby")
            let start = try #require(try await feed(api).next)
            let partner = try await api.service.token(.partner)

            // A draft consultation is invisible; publishing it is its creation; withdrawing it its deletion.
            let now = api.service.clock.now()
            let draft = try await api.create("/v1/consultations", #"""
                {"municipality_id":"\#(m)","short_period_reason":"Kort frist i testen","title":"Budget 2027","status":"draft","publish_responses":"on_approval",
                 "opens_at":"\#(rfc3339(now - 60))","closes_at":"\#(rfc3339(now + 86_400))"}
                """#)
            let party = try await api.create("/v1/consultations/\(draft)/parties", #"{"name":"Ældresagen","kind":"organisation"}"#)
            var (seen, cursor) = try await drain(api, after: start)
            #expect(seen.isEmpty)
            #expect(try await api.patch("/v1/consultations/\(draft)", #"{"status":"published"}"#).status == .ok)
            (seen, cursor) = try await drain(api, after: cursor)
            // Published after it opened and within 72 hours of its deadline: announced opened and closing soon at once.
            #expect(seen == ["consultation \(draft) created", "party \(party) created", "consultation \(draft) updated", "consultation \(draft) updated"])

            // A submitted response changes the public counts, but is not itself public until moderation publishes it.
            let response = try #require(try await submit(api, draft, token: partner, key: "k1").string("id"))
            (seen, cursor) = try await drain(api, after: cursor)
            #expect(seen == ["consultation \(draft) updated"])
            #expect(try await api.patch("/v1/responses/\(response)", #"{"status":"published"}"#).status == .ok)
            (seen, cursor) = try await drain(api, after: cursor)
            #expect(seen == ["response \(response) created", "consultation \(draft) updated"])
            // Its href gives the public view.
            let read = try await api.get("/v1/responses/\(response)")
            #expect(read.status == .ok && read.json["respondent"] != nil && !read.text.contains("jens@example.dk"))

            #expect(try await api.patch("/v1/consultations/\(draft)", #"{"status":"withdrawn"}"#).status == .ok)
            (seen, cursor) = try await drain(api, after: cursor)
            #expect(seen == ["consultation \(draft) deleted", "party \(party) deleted", "response \(response) deleted"])
            expectProblem(try await api.get("/v1/responses/\(response)"), .notFound)

            // A private meeting and its agenda are invisible until the meeting is made public.
            let council = try await seedCouncil(api, municipality: m)
            let meeting = try await seedMeeting(api, municipality: m, council: council, extra: #","public":false"#)
            let item = try await api.create("/v1/meetings/\(meeting)/agenda-items", #"{"title":"Budget","kind":"advice"}"#)
            let closed = try await api.create("/v1/meetings/\(meeting)/agenda-items", #"{"title":"Personalesag","kind":"information","public":false}"#)
            _ = try await api.call(.put, "/v1/meetings/\(meeting)/minutes", token: api.service.admin, body: #"{"text":"Referat","present":[]}"#)
            (seen, cursor) = try await drain(api, after: cursor)
            #expect(seen == ["council \(council) created"])
            #expect(try await api.patch("/v1/meetings/\(meeting)", #"{"public":true}"#).status == .ok)
            (seen, cursor) = try await drain(api, after: cursor)
            #expect(seen == ["meeting \(meeting) created", "agenda_item \(item) created", "agenda_item \(closed) created"])
            // Draft minutes stay private; approval publishes them.
            #expect(try await api.call(.post, "/v1/meetings/\(meeting)/minutes/approve", token: api.service.admin).status == .ok)
            (seen, cursor) = try await drain(api, after: cursor)
            #expect(seen == ["minutes \(meeting) created"])
            // Moving an item renumbers the other one: both changed for the public.
            #expect(try await api.patch("/v1/meetings/\(meeting)/agenda-items/\(closed)", #"{"position":1}"#).status == .ok)
            (seen, cursor) = try await drain(api, after: cursor)
            #expect(seen == ["agenda_item \(closed) updated", "agenda_item \(item) updated"])
            #expect(try await api.patch("/v1/meetings/\(meeting)", #"{"public":false}"#).status == .ok)
            (seen, cursor) = try await drain(api, after: cursor)
            #expect(Set(seen) == ["meeting \(meeting) deleted", "agenda_item \(item) deleted", "agenda_item \(closed) deleted",
                                  "minutes \(meeting) deleted"])
            #expect(seen.first == "meeting \(meeting) deleted")

            // Admins see every event, including the private ones; an admin of one municipality sees the rest as the public does.
            let everything = try await drain(api, after: start, token: api.service.admin).0
            #expect(everything.contains("consultation \(draft) created") && everything.contains("response \(response) created"))
            #expect(everything.contains("minutes \(meeting) created") && everything.contains("meeting \(meeting) created"))
            #expect(!everything.contains("party \(party) deleted"), "the party itself did not change")
            let other = try await api.service.token(.admin, [n])
            #expect(try await drain(api, after: start, token: other).0 == drain(api, after: start).0)
            let own = try await api.service.token(.admin, [m])
            #expect(try await drain(api, after: start, token: own).0 == everything)
            // A partner is not an admin: the public view, and the events of its own response (its receipt shows them).
            let partnerSees = try await drain(api, after: start, token: partner).0
            let publicSees = try await drain(api, after: start).0
            #expect(partnerSees.filter { !$0.hasPrefix("response \(response) ") } == publicSees.filter { !$0.hasPrefix("response \(response) ") })
            #expect(partnerSees.first { $0.hasPrefix("response \(response) ") } == "response \(response) created")
            #expect(partnerSees.count > publicSees.count)
        }
    }

    @Test func responsesPublishedAfterTheDeadlineAppearOnceItPasses() async throws {
        try await withAPI { api in
            let (m, _) = try await seedMunicipality(api)
            let partner = try await api.service.token(.partner)
            let consultation = try await seedConsultation(api, municipality: m, closesIn: 3600, extra: #","publish_responses":"after_deadline""#)
            let response = try #require(try await submit(api, consultation, token: partner, key: "late-1").string("id"))
            #expect(try await api.patch("/v1/responses/\(response)", #"{"status":"published"}"#).status == .ok)
            var (seen, cursor) = try await drain(api, after: "0")
            #expect(!seen.contains { $0.hasPrefix("response") })
            expectProblem(try await api.get("/v1/responses/\(response)"), .notFound)

            await api.service.clock.advance(by: 7200)
            (seen, cursor) = try await drain(api, after: cursor)
            #expect(seen == ["consultation \(consultation) updated", "response \(response) created"])  // closed, then released
            #expect(try await api.get("/v1/responses/\(response)").status == .ok)
            // Released once: polling again finds nothing new.
            #expect(try await drain(api, after: cursor).0.isEmpty)
        }
    }

    /// A consumer follows the feed anonymously while several admins and a partner write; afterwards the
    /// documents it fetched for each event equal a fresh crawl of the public API.
    @Test func aMirrorBuiltFromTheFeedUnderConcurrentWritesMatchesTheAPI() async throws {
        try await withAPI { api in
            let (m, area) = try await seedMunicipality(api)
            let partner = try await api.service.token(.partner)
            let stableCouncil = try await seedCouncil(api, municipality: m, area: area, name: "Ældrerådet")

            let writing = Flag()
            let follower = Task { () throws -> [String: String] in
                var mirror: [String: String] = [:]
                var cursor = "0"
                var finalPass = false
                while true {
                    if await writing.isDone { finalPass = true }
                    while true {
                        let page = try await feed(api, after: cursor, limit: 7)
                        for event in page.events {
                            let href = event["href"] as! String
                            if event["action"] as? String == "deleted" {
                                mirror[href] = nil
                            } else {
                                let reply = try await api.get(href)
                                mirror[href] = reply.status == .ok ? reply.text : nil
                            }
                        }
                        cursor = try #require(page.next)
                        if page.events.isEmpty { break }
                    }
                    if finalPass { return mirror }
                    await Task.yield()
                }
            }

            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await Self.councilWriter(api, m, area) }
                group.addTask { try await Self.meetingWriter(api, m, stableCouncil) }
                group.addTask { try await Self.consultationWriter(api, m, partner) }
                group.addTask { try await Self.channelWriter(api, m, area) }
                try await group.waitForAll()
            }
            await writing.finish()
            let mirror = try await follower.value
            let crawled = try await Self.crawl(api, m)
            #expect(mirror.count == crawled.count)
            #expect(Set(mirror.keys) == Set(crawled.keys), "only in mirror: \(Set(mirror.keys).subtracting(crawled.keys)); only in API: \(Set(crawled.keys).subtracting(mirror.keys))")
            for (href, text) in crawled {
                #expect(mirror[href] == text, "\(href) differs")
            }
            #expect(crawled.keys.contains { $0.contains("/minutes") } && crawled.keys.contains { $0.hasPrefix("/v1/responses/") })
        }
    }

    // MARK: Writers and the crawl

    static func councilWriter(_ api: API, _ m: String, _ area: String) async throws {
        for round in 0..<4 {
            let council = try await seedCouncil(api, municipality: m, area: area, name: "Brugerråd \(round)")
            let first = try await api.create("/v1/councils/\(council)/members", #"{"name":"Else \#(round)","role":"chair","group":"users","voting":true,"term_start":"2025-01-01"}"#)
            let second = try await api.create("/v1/councils/\(council)/members", #"{"name":"Ib \#(round)","role":"member","group":"users","voting":true,"term_start":"2025-01-01"}"#)
            try await expectOK(api.patch("/v1/councils/\(council)/members/\(first)", #"{"email":"else\#(round)@example.dk"}"#))
            try await expectOK(api.patch("/v1/councils/\(council)", #"{"description":"Runde \#(round)"}"#))
            try await expectOK(api.delete("/v1/councils/\(council)/members/\(second)"))
            if round.isMultiple(of: 2) { try await expectOK(api.delete("/v1/councils/\(council)")) }
        }
    }

    static func meetingWriter(_ api: API, _ m: String, _ council: String) async throws {
        for round in 0..<4 {
            let meeting = try await seedMeeting(api, municipality: m, council: council, extra: round.isMultiple(of: 2) ? "" : #","public":false"#)
            let item = try await api.create("/v1/meetings/\(meeting)/agenda-items", #"{"title":"Punkt \#(round)","kind":"advice"}"#)
            let closed = try await api.create("/v1/meetings/\(meeting)/agenda-items", #"{"title":"Lukket","kind":"information","public":false}"#)
            try await expectOK(api.patch("/v1/meetings/\(meeting)/agenda-items/\(closed)", #"{"position":1}"#))
            try await expectOK(api.call(.put, "/v1/meetings/\(meeting)/minutes", token: api.service.admin, body: #"{"text":"Referat \#(round)","present":[]}"#))
            try await api.create("/v1/meetings/\(meeting)/agenda-items/\(item)/decisions", #"{"text":"Anbefalet","votes":{"for":0,"against":0,"abstain":0}}"#)
            if round != 1 { try await expectOK(api.call(.post, "/v1/meetings/\(meeting)/minutes/approve", token: api.service.admin)) }
            try await expectOK(api.patch("/v1/meetings/\(meeting)", #"{"public":\#(round == 1 || round == 2)}"#))
            if round == 3 { try await expectOK(api.delete("/v1/meetings/\(meeting)/agenda-items/\(closed)")) }
        }
    }

    static func consultationWriter(_ api: API, _ m: String, _ partner: String) async throws {
        for round in 0..<3 {
            let consultation = try await seedConsultation(api, municipality: m, extra: #","publish_responses":"on_approval""#)
            let party = try await api.create("/v1/consultations/\(consultation)/parties", #"{"name":"Forening \#(round)","kind":"organisation"}"#)
            var ids: [String] = []
            for n in 0..<3 {
                let reply = try await submit(api, consultation, token: partner, key: "r\(round)-\(n)", text: "Svar \(round)-\(n)")
                try #require(reply.status == .created, "\(reply.text)")
                ids.append(try #require(reply.string("id")))
            }
            try await expectOK(api.patch("/v1/responses/\(ids[0])", #"{"status":"published"}"#))
            try await expectOK(api.patch("/v1/responses/\(ids[1])", #"{"status":"published","redactions":["Svar"]}"#))
            try await expectOK(api.patch("/v1/responses/\(ids[1])", #"{"status":"withheld","withheld_reason":"Personfølsomt"}"#))
            // A last submission changes only the public response counts.
            try await expectOK(submit(api, consultation, token: partner, key: "r\(round)-last", text: "Sidste svar"))
            if round == 1 { try await expectOK(api.patch("/v1/consultations/\(consultation)", #"{"status":"withdrawn"}"#)) }
            if round == 2 { try await expectOK(api.delete("/v1/consultations/\(consultation)/parties/\(party)")) }
        }
    }

    static func channelWriter(_ api: API, _ m: String, _ area: String) async throws {
        for round in 0..<4 {
            let channel = try await api.create("/v1/dialogue-channels", #"""
                {"municipality_id":"\#(m)","service_area_id":"\#(area)","target_group":"service_users","user_category":"elderly",
                 "purpose":"formal","kind":"newsletter","name":"Nyhedsbrev \#(round)"}
                """#)
            try await expectOK(api.patch("/v1/dialogue-channels/\(channel)", #"{"cadence":{"count":4,"per":"year"}}"#))
            if round.isMultiple(of: 2) { try await expectOK(api.delete("/v1/dialogue-channels/\(channel)")) }
        }
    }

    /// Every public document of a municipality, keyed by the href the feed uses.
    static func crawl(_ api: API, _ m: String) async throws -> [String: String] {
        var documents: [String: String] = [:]
        func ids(_ list: String) async throws -> [String] {
            let reply = try await api.get(list)
            try #require(reply.status == .ok && reply.json["next_cursor"] is NSNull, "\(list): \(reply.text)")
            return try reply.data.map { try #require($0["id"] as? String, "\(list): \(reply.text)") }
        }
        func add(_ href: String) async throws {
            let reply = try await api.get(href)
            try #require(reply.status == .ok, "\(href): \(reply.status)")
            documents[href] = reply.text
        }
        try await add("/v1/municipalities/\(m)")
        for id in try await ids("/v1/service-areas?municipality=\(m)&limit=200") { try await add("/v1/service-areas/\(id)") }
        for council in try await ids("/v1/councils?municipality=\(m)&limit=200") {
            try await add("/v1/councils/\(council)")
            for id in try await ids("/v1/councils/\(council)/members?at=all&limit=200") { try await add("/v1/councils/\(council)/members/\(id)") }
            for id in try await ids("/v1/councils/\(council)/decisions?limit=200") { try await add("/v1/decisions/\(id)") }
        }
        for meeting in try await ids("/v1/meetings?municipality=\(m)&limit=200") {
            try await add("/v1/meetings/\(meeting)")
            for id in try await ids("/v1/meetings/\(meeting)/agenda-items?limit=200") { try await add("/v1/meetings/\(meeting)/agenda-items/\(id)") }
            if try await api.get("/v1/meetings/\(meeting)/minutes").status == .ok { try await add("/v1/meetings/\(meeting)/minutes") }
        }
        for consultation in try await ids("/v1/consultations?municipality=\(m)&limit=200") {
            try await add("/v1/consultations/\(consultation)")
            for id in try await ids("/v1/consultations/\(consultation)/parties?limit=200") { try await add("/v1/consultations/\(consultation)/parties/\(id)") }
            for id in try await ids("/v1/consultations/\(consultation)/responses?limit=200") { try await add("/v1/responses/\(id)") }
        }
        for id in try await ids("/v1/dialogue-channels?municipality=\(m)&limit=200") { try await add("/v1/dialogue-channels/\(id)") }
        return documents
    }
}
