import Foundation
import Testing

/// Domain rules of meetings that people rely on (issue 14, §5).
@Suite struct MeetingRuleTests {
    /// A personal deputy votes in the place of an absent member; a member and their deputy never both count.
    @Test func aPresentDeputyVotesForTheAbsentMember() async throws {
        try await withAPI { api in
            let (m, _) = try await seedMunicipality(api)
            let council = try await seedCouncil(api, municipality: m)
            let members = "/v1/councils/\(council)/members"
            let chair = try await api.create(members, #"{"name":"Formand","role":"chair","group":"users","voting":true,"term_start":"2020-01-01"}"#)
            let other = try await api.create(members, #"{"name":"Medlem","role":"member","group":"users","voting":true,"term_start":"2020-01-01"}"#)
            let deputy = try await api.create(members, #"{"name":"Stedfortræder","role":"member","group":"users","voting":true,"term_start":"2020-01-01","deputy_of":"\#(chair)"}"#)

            func decide(present: [String], absent: [String], votes: Int) async throws -> Reply {
                let meeting = try await seedMeeting(api, municipality: m, council: council)
                let list = { (ids: [String]) in ids.map { "\"\($0)\"" }.joined(separator: ",") }
                try expectOK(try await api.call(.put, "/v1/meetings/\(meeting)/minutes", token: api.service.admin,
                                                body: #"{"text":"Referat","present":[\#(list(present))],"absent":[\#(list(absent))]}"#))
                let item = try await api.create("/v1/meetings/\(meeting)/agenda-items", #"{"title":"Budget","kind":"advice"}"#)
                return try await api.call(.post, "/v1/meetings/\(meeting)/agenda-items/\(item)/decisions", token: api.service.admin,
                                          body: #"{"text":"Anbefales","votes":{"for":\#(votes),"against":0,"abstain":0}}"#)
            }
            // The chair is absent and the chair's deputy attends: two votes.
            #expect(try await decide(present: [other, deputy], absent: [chair], votes: 2).status == .created)
            // The chair attends too: still two votes, never three.
            let both = try await decide(present: [chair, other, deputy], absent: [], votes: 3)
            expectProblem(both, .unprocessableContent)
            #expect(both.fieldErrors == ["votes"])
            #expect(try await decide(present: [chair, other, deputy], absent: [], votes: 2).status == .created)
            // Two deputies of the absent chair hold the chair's one vote between them.
            let second = try await api.create(members, #"{"name":"Anden stedfortræder","role":"member","group":"staff","voting":false,"term_start":"2020-01-01","deputy_of":"\#(chair)"}"#)
            expectProblem(try await decide(present: [other, deputy, second], absent: [chair], votes: 3), .unprocessableContent)
            #expect(try await decide(present: [other, deputy, second], absent: [chair], votes: 2).status == .created)
        }
    }

    @Test func minutesAreApprovedOnlyOnceTheMeetingHasStarted() async throws {
        try await withAPI { api in
            let (m, _) = try await seedMunicipality(api)
            let council = try await seedCouncil(api, municipality: m)
            let meeting = try await seedMeeting(api, municipality: m, council: council, startsIn: 86_400)
            // Nothing to approve yet: the meeting exists, so a 409 that says what to do, not a 404.
            expectProblem(try await api.call(.post, "/v1/meetings/\(meeting)/minutes/approve", token: api.service.admin), .conflict, "no-minutes")
            try expectOK(try await api.call(.put, "/v1/meetings/\(meeting)/minutes", token: api.service.admin, body: #"{"text":"Forberedt"}"#))
            expectProblem(try await api.call(.post, "/v1/meetings/\(meeting)/minutes/approve", token: api.service.admin), .conflict, "meeting-not-held")
            await api.service.clock.advance(by: 2 * 86_400)
            #expect(try await api.call(.post, "/v1/meetings/\(meeting)/minutes/approve", token: api.service.admin).status == .ok)
            // Nor can approved minutes be made premature by moving the meeting into the future.
            let later = api.service.clock.now() + 7 * 86_400
            let moved = try await api.patch("/v1/meetings/\(meeting)", #"{"starts_at":"\#(rfc3339(later))","ends_at":"\#(rfc3339(later + 3600))"}"#)
            expectProblem(moved, .conflict, "minutes-approved")
            #expect(!moved.text.contains(".000Z"))
        }
    }

    /// `If-Match` on minutes that do not exist yet cannot match, `*` included (RFC 9110 §13.1.1).
    @Test func ifMatchOnMinutesThatDoNotExistIsAFailedPrecondition() async throws {
        try await withAPI { api in
            let (m, _) = try await seedMunicipality(api)
            let meeting = try await seedMeeting(api, municipality: m, council: nil)
            let path = "/v1/meetings/\(meeting)/minutes"
            for tag in [#""bogus""#, "*"] {
                expectProblem(try await api.call(.put, path, token: api.service.admin, body: #"{"text":"x"}"#, headers: ["If-Match": tag]),
                              .preconditionFailed, "precondition-failed")
            }
            expectProblem(try await api.get(path, token: api.service.admin), .notFound)
            let created = try await api.call(.put, path, token: api.service.admin, body: #"{"text":"x"}"#)
            try expectOK(created)
            let tag = try #require(try await api.get(path, token: api.service.admin)["ETag"])
            try expectOK(try await api.call(.put, path, token: api.service.admin, body: #"{"text":"y"}"#, headers: ["If-Match": tag]))
            try expectOK(try await api.call(.put, path, token: api.service.admin, body: #"{"text":"z"}"#, headers: ["If-Match": "*"]))
        }
    }
}
