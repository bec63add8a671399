import Foundation
import Testing

/// Creates a meeting and returns its id.
@discardableResult
func seedMeeting(_ api: API, municipality: String, council: String?, startsIn: TimeInterval = -7200, hours: Double = 2,
                 extra: String = "") async throws -> String {
    let now = api.service.clock.now()
    let councilField = council.map { #","council_id":"\#($0)","kind":"council_meeting""# } ?? #","kind":"citizen_meeting""#
    return try await api.create("/v1/meetings", #"""
        {"municipality_id":"\#(municipality)"\#(councilField),"title":"Møde","starts_at":"\#(rfc3339(now + startsIn))",
         "ends_at":"\#(rfc3339(now + startsIn + hours * 3600))","location":{"name":"Rådhuset","address":"Torvet 1"}\#(extra)}
        """#)
}

@Suite struct MeetingTests {
    @Test func meetingRulesAndVisibility() async throws {
        try await withAPI { api in
            let (m, _) = try await seedMunicipality(api)
            let (n, _) = try await seedMunicipality(api, id: "andenby")
            let council = try await seedCouncil(api, municipality: m)
            let other = try await seedCouncil(api, municipality: n)
            let now = api.service.clock.now()
            func post(_ body: String) async throws -> Reply { try await api.call(.post, "/v1/meetings", token: api.service.admin, body: body) }

            let backwards = try await post(#"{"municipality_id":"\#(m)","kind":"workshop","title":"X","starts_at":"\#(rfc3339(now))","ends_at":"\#(rfc3339(now - 60))"}"#)
            #expect(backwards.fieldErrors == ["ends_at"])
            let noCouncil = try await post(#"{"municipality_id":"\#(m)","kind":"council_meeting","title":"X","starts_at":"\#(rfc3339(now))","ends_at":"\#(rfc3339(now + 60))"}"#)
            #expect(noCouncil.fieldErrors == ["council_id"])
            let foreign = try await post(#"{"municipality_id":"\#(m)","council_id":"\#(other)","kind":"council_meeting","title":"X","starts_at":"\#(rfc3339(now))","ends_at":"\#(rfc3339(now + 60))"}"#)
            #expect(foreign.fieldErrors == ["council_id"])
            expectProblem(try await post(#"{"municipality_id":"\#(m)","kind":"workshop","title":"X","status":"held","starts_at":"\#(rfc3339(now + 60))","ends_at":"\#(rfc3339(now + 120))"}"#),
                          .conflict, "meeting-not-started")
            let ancient = try await post(#"{"municipality_id":"\#(m)","kind":"workshop","title":"X","starts_at":"0001-01-01T00:00:00Z","ends_at":"9999-01-01T00:00:00Z"}"#)
            #expect(Set(ancient.fieldErrors) == ["starts_at", "ends_at"])

            let future = try await seedMeeting(api, municipality: m, council: council, startsIn: 3600)
            expectProblem(try await api.patch("/v1/meetings/\(future)", #"{"status":"held"}"#), .conflict, "meeting-not-started")
            await api.service.clock.advance(by: 3600)
            #expect(try await api.patch("/v1/meetings/\(future)", #"{"status":"held"}"#).string("status") == "held")

            let closed = try await seedMeeting(api, municipality: m, council: council, extra: #","public":false"#)
            expectProblem(try await api.get("/v1/meetings/\(closed)"), .notFound)
            #expect(try await api.get("/v1/meetings/\(closed)", token: api.service.admin).status == .ok)
            #expect(try await api.get("/v1/meetings").data.count == 1)
            #expect(try await api.get("/v1/meetings", token: api.service.admin).data.count == 2)
            #expect(try await api.get("/v1/councils/\(council)/meetings").data.count == 1)
        }
    }

    @Test func filtersOrderByStartTime() async throws {
        try await withAPI { api in
            let (m, _) = try await seedMunicipality(api)
            let council = try await seedCouncil(api, municipality: m)
            let late = try await seedMeeting(api, municipality: m, council: council, startsIn: 10 * 86_400)
            let early = try await seedMeeting(api, municipality: m, council: nil, startsIn: 86_400)
            let now = api.service.clock.now()
            func ids(_ query: String) async throws -> [String] {
                try await api.get("/v1/meetings?\(query)").data.compactMap { $0["id"] as? String }
            }
            #expect(try await ids("municipality=\(m)") == [early, late])
            #expect(try await ids("council=\(council)") == [late])
            #expect(try await ids("kind=citizen_meeting") == [early])
            #expect(try await ids("from=\(rfc3339(now + 5 * 86_400))") == [late])
            #expect(try await ids("to=\(rfc3339(now + 5 * 86_400))") == [early])
            #expect(try await ids("status=cancelled") == [])
            let first = try await api.get("/v1/meetings?limit=1")
            #expect(try await api.get("/v1/meetings?limit=1&cursor=\(first.string("next_cursor")!)").data.first?["id"] as? String == late)
            expectProblem(try await api.get("/v1/meetings?from=tomorrow"), .badRequest)
        }
    }

    @Test func agendaRenumbersAndHidesClosedItems() async throws {
        try await withAPI { api in
            let (m, _) = try await seedMunicipality(api)
            let meeting = try await seedMeeting(api, municipality: m, council: try await seedCouncil(api, municipality: m))
            let path = "/v1/meetings/\(meeting)/agenda-items"
            let a = try await api.create(path, #"{"title":"A","kind":"information"}"#)
            let b = try await api.create(path, #"{"title":"B","kind":"discussion"}"#)
            let c = try await api.create(path, #"{"title":"Personalesag","kind":"decision","public":false,"position":1}"#)
            func order() async throws -> [String] {
                try await api.get(path, token: api.service.admin).data.compactMap { $0["id"] as? String }
            }
            #expect(try await order() == [c, a, b])
            #expect(try await api.get(path, token: api.service.admin).data.compactMap { $0["position"] as? Int } == [1, 2, 3])
            _ = try await api.patch("\(path)/\(b)", #"{"position":1}"#)
            #expect(try await order() == [b, c, a])
            _ = try await api.patch("\(path)/\(b)", #"{"position":99}"#)
            #expect(try await order() == [c, a, b])
            #expect(try await api.delete("\(path)/\(a)").status == .noContent)
            #expect(try await api.get(path, token: api.service.admin).data.compactMap { $0["position"] as? Int } == [1, 2])

            let anonymous = try await api.get(path)
            let closed = try #require(anonymous.data.first)
            #expect(closed["title"] as? String == "Closed item" && closed["public"] as? Bool == false)
            #expect(closed["kind"] == nil && !anonymous.text.contains("Personalesag"))
            #expect(try await api.get("\(path)/\(c)").string("title") == "Closed item")
            expectProblem(try await api.call(.post, path, token: api.service.admin, body: #"{"title":"X","kind":"information","position":0}"#), .unprocessableContent)
        }
    }

    @Test func minutesCheckSeatsAndBecomeImmutable() async throws {
        try await withAPI { api in
            let (m, _) = try await seedMunicipality(api)
            let council = try await seedCouncil(api, municipality: m)
            let other = try await seedCouncil(api, municipality: m, name: "Andet råd")
            let seated = try await api.create("/v1/councils/\(council)/members", #"{"name":"A","role":"chair","group":"users","voting":true,"term_start":"2020-01-01"}"#)
            let gone = try await api.create("/v1/councils/\(council)/members", #"{"name":"B","role":"member","group":"users","voting":true,"term_start":"2020-01-01","term_end":"2020-12-31"}"#)
            let stranger = try await api.create("/v1/councils/\(other)/members", #"{"name":"C","role":"member","group":"users","term_start":"2020-01-01"}"#)
            let meeting = try await seedMeeting(api, municipality: m, council: council)
            let path = "/v1/meetings/\(meeting)/minutes"
            func put(_ body: String) async throws -> Reply { try await api.call(.put, path, token: api.service.admin, body: body) }

            let wrong = try await put(#"{"text":"x","present":["\#(seated)","\#(stranger)"],"absent":["\#(gone)"]}"#)
            expectProblem(wrong, .unprocessableContent)
            #expect(Set(wrong.fieldErrors) == ["present[1]", "absent[0]"])
            #expect(try await put(#"{"text":"Referat","present":["\#(seated)"]}"#).string("status") == "draft")
            expectProblem(try await api.get(path), .notFound)
            #expect(try await api.get(path, token: api.service.admin).string("text") == "Referat")

            let approved = try await api.call(.post, "\(path)/approve", token: api.service.admin)
            #expect(approved.string("status") == "approved" && approved.string("approved_at") != nil)
            #expect(try await api.get(path).string("text") == "Referat")
            expectProblem(try await put(#"{"text":"Ændret"}"#), .conflict, "minutes-approved")
            expectProblem(try await api.call(.post, "\(path)/approve", token: api.service.admin), .conflict, "minutes-approved")
        }
    }

    @Test func decisionsVotesAndFollowUp() async throws {
        try await withAPI { api in
            let (m, _) = try await seedMunicipality(api)
            let council = try await seedCouncil(api, municipality: m)
            var voters: [String] = []
            for name in ["A", "B"] {
                voters.append(try await api.create("/v1/councils/\(council)/members", #"{"name":"\#(name)","role":"member","group":"users","voting":true,"term_start":"2020-01-01"}"#))
            }
            let observer = try await api.create("/v1/councils/\(council)/members", #"{"name":"O","role":"observer","group":"staff","term_start":"2020-01-01"}"#)
            let meeting = try await seedMeeting(api, municipality: m, council: council)
            let item = try await api.create("/v1/meetings/\(meeting)/agenda-items", #"{"title":"Budget","kind":"advice"}"#)
            _ = try await api.call(.put, "/v1/meetings/\(meeting)/minutes", token: api.service.admin,
                                   body: #"{"text":"x","present":["\#(voters[0])","\#(voters[1])","\#(observer)"]}"#)
            let path = "/v1/meetings/\(meeting)/agenda-items/\(item)/decisions"
            let tooMany = try await api.call(.post, path, token: api.service.admin, body: #"{"text":"Anbefaling","votes":{"for":2,"against":1,"abstain":0}}"#)
            expectProblem(tooMany, .unprocessableContent)
            #expect(tooMany.fieldErrors == ["votes"])
            let decision = try await api.create(path, #"{"text":"Rådet anbefaler forslaget","votes":{"for":1,"against":0,"abstain":1}}"#)
            #expect(try await api.get("/v1/decisions/\(decision)").json["follow_up"] as? [String: String] == ["decision_id": decision, "status": "pending"])

            let followUp = "/v1/decisions/\(decision)/follow-up"
            expectProblem(try await api.patch(followUp, #"{"status":"not_followed"}"#), .unprocessableContent)
            expectProblem(try await api.patch(followUp, #"{"status":"partly_followed","feedback":"  "}"#), .unprocessableContent)
            let done = try await api.patch(followUp, #"{"status":"partly_followed","feedback":"Kun delvist af hensyn til økonomien","responded_at":"2026-03-01"}"#)
            #expect(done.status == .ok && done.string("responded_at") == "2026-03-01")
            #expect(try await api.get("/v1/councils/\(council)/decisions?follow_up=partly_followed").data.count == 1)
            #expect(try await api.get("/v1/councils/\(council)/decisions?follow_up=pending").data.isEmpty)

            let citizen = try await seedMeeting(api, municipality: m, council: nil)
            let citizenItem = try await api.create("/v1/meetings/\(citizen)/agenda-items", #"{"title":"Oplæg","kind":"information"}"#)
            expectProblem(try await api.call(.post, "/v1/meetings/\(citizen)/agenda-items/\(citizenItem)/decisions", token: api.service.admin,
                                             body: #"{"text":"x","votes":{"for":0,"against":0,"abstain":0}}"#), .conflict, "not-a-council-meeting")
        }
    }

    @Test func aDecisionIsFiledAsTheCouncilsHearingResponseOnce() async throws {
        try await withAPI { api in
            let (m, _) = try await seedMunicipality(api)
            let council = try await seedCouncil(api, municipality: m, name: "Testby Ældreråd")
            let consultation = try await seedConsultation(api, municipality: m, extra: #","audience":"invited""#)
            let meeting = try await seedMeeting(api, municipality: m, council: council)
            let linked = try await api.create("/v1/meetings/\(meeting)/agenda-items", #"{"title":"Høring","kind":"advice","consultation_id":"\#(consultation)"}"#)
            let unlinked = try await api.create("/v1/meetings/\(meeting)/agenda-items", #"{"title":"Andet","kind":"advice"}"#)
            let zero = #"{"text":"Ældrerådet kan ikke anbefale forslaget.","votes":{"for":0,"against":0,"abstain":0}}"#
            let decision = try await api.create("/v1/meetings/\(meeting)/agenda-items/\(linked)/decisions", zero)
            let other = try await api.create("/v1/meetings/\(meeting)/agenda-items/\(unlinked)/decisions", zero)

            expectProblem(try await api.call(.post, "/v1/decisions/\(decision)/submit-as-response", token: api.service.admin), .conflict, "council-not-a-party")
            try await api.create("/v1/consultations/\(consultation)/parties", #"{"name":"Testby Ældreråd","kind":"council","council_id":"\#(council)"}"#)
            let filed = try await api.call(.post, "/v1/decisions/\(decision)/submit-as-response", token: api.service.admin)
            #expect(filed.status == .created)
            #expect((filed.json["respondent"] as? [String: Any])?["kind"] as? String == "council")
            #expect(filed.string("text") == "Ældrerådet kan ikke anbefale forslaget.")
            let number = try #require(filed.string("receipt_number"))
            #expect(try await api.get("/v1/decisions/\(decision)", token: api.service.admin).string("response_receipt_number") == number)
            #expect(try await api.get("/v1/decisions/\(decision)").json["response_receipt_number"] == nil, "a receipt is the submitter's, not the public's")
            expectProblem(try await api.call(.post, "/v1/decisions/\(decision)/submit-as-response", token: api.service.admin), .conflict, "already-submitted")
            expectProblem(try await api.call(.post, "/v1/decisions/\(other)/submit-as-response", token: api.service.admin), .conflict, "no-consultation")
            #expect(try await api.get("/v1/consultations/\(consultation)/parties").data.first?["responded"] as? Bool == true)
            expectProblem(try await api.call(.post, "/v1/decisions/\(decision)/submit-as-response", token: try await api.service.token(.partner)), .forbidden)
        }
    }

    @Test func calendarFeedsFollowRFC5545() async throws {
        try await withAPI { api in
            let (m, _) = try await seedMunicipality(api)
            let council = try await seedCouncil(api, municipality: m)
            let meeting = try await seedMeeting(api, municipality: m, council: council, startsIn: 86_400,
                                                extra: #","description":"Dagsorden: budget; høring, og \"andet\"\nNy linje med en lang tekst om æøå og meget mere end femoghalvfjerds oktetter""#)
            let hidden = try await seedMeeting(api, municipality: m, council: council, extra: #","public":false"#)
            let feed = try await api.get("/v1/meetings.ics")
            #expect(feed["Content-Type"]?.hasPrefix("text/calendar") == true)
            #expect(feed.text.contains("UID:\(meeting)@medvirk") && !feed.text.contains(hidden))
            #expect(feed.text.contains("SEQUENCE:0") && feed.text.contains("LOCATION:Rådhuset\\, Torvet 1"))
            #expect(feed.text.components(separatedBy: "\r\n").allSatisfy { $0.utf8.count <= 75 })
            #expect(!feed.text.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
            let unfolded = feed.text.replacingOccurrences(of: "\r\n ", with: "")
            #expect(unfolded.contains(#"DESCRIPTION:Dagsorden: budget\; høring\, og "andet"\nNy linje"#))

            _ = try await api.patch("/v1/meetings/\(meeting)", #"{"status":"cancelled"}"#)
            let after = try await api.get("/v1/councils/\(council)/meetings.ics", headers: ["If-None-Match": feed["ETag"]!])
            #expect(after.status == .ok)
            #expect(after.text.contains("SEQUENCE:1") && after.text.contains("STATUS:CANCELLED"))
            #expect(try await api.get("/v1/councils/\(council)/meetings.ics", headers: ["If-None-Match": after["ETag"]!]).status == .notModified)
            #expect(try await api.get("/v1/meetings.ics?kind=workshop").text.contains("BEGIN:VEVENT") == false)
        }
    }

    @Test func councilActivityReport() async throws {
        try await withAPI { api in
            let (m, _) = try await seedMunicipality(api)
            let council = try await seedCouncil(api, municipality: m)
            let clock = api.service.clock
            let today = clock.now()
            let year = Calendar(identifier: .gregorian).component(.year, from: today)
            let soon = rfc3339(today + 30 * 86_400).prefix(10)
            let voter = try await api.create("/v1/councils/\(council)/members", #"{"name":"A","role":"chair","group":"users","voting":true,"term_start":"2020-01-01","term_end":"\#(soon)"}"#)
            let meeting = try await seedMeeting(api, municipality: m, council: council, extra: #","status":"held""#)
            let item = try await api.create("/v1/meetings/\(meeting)/agenda-items", #"{"title":"Budget","kind":"advice"}"#)
            _ = try await api.call(.put, "/v1/meetings/\(meeting)/minutes", token: api.service.admin, body: #"{"text":"x","present":["\#(voter)"]}"#)
            try await api.create("/v1/meetings/\(meeting)/agenda-items/\(item)/decisions", #"{"text":"Anbefaling","votes":{"for":1,"against":0,"abstain":0}}"#)
            let consultation = try await seedConsultation(api, municipality: m)
            try await api.create("/v1/consultations/\(consultation)/parties", #"{"name":"Rådet","kind":"council","council_id":"\#(council)"}"#)

            let report = try await api.get("/v1/reports/council-activity?municipality=\(m)&year=\(year)")
            let row = try #require((report.json["councils"] as? [[String: Any]])?.first)
            #expect(row["meetings_held"] as? Int == 1 && row["below_minimum"] as? Bool == true)
            #expect(row["seats_defined"] as? Int == 4 && row["seats_filled"] as? Int == 1)
            #expect((row["terms_ending_soon"] as? [[String: Any]])?.first?["member_id"] as? String == voter)
            #expect((row["decisions"] as? [String: Int])?["pending"] == 1)
            #expect((row["consultations"] as? [[String: Any]])?.first?["responded"] as? Bool == false)
            #expect(row["follow_ups_overdue"] as? Int == 0)

            let csv = try await api.get("/v1/reports/council-activity?municipality=\(m)&year=\(year)&format=csv")
            #expect(csv["Content-Type"]?.hasPrefix("text/csv") == true)
            let rows = parseCSV(String(csv.text.dropFirst()))
            #expect(rows.count == 2 && rows[0][0] == "council_id" && rows[1][0] == council)
            expectProblem(try await api.get("/v1/reports/council-activity?year=1800"), .badRequest)

            await clock.advance(by: 91 * 86_400)
            let later = try await api.get("/v1/reports/council-activity?municipality=\(m)&year=\(year)")
            #expect((later.json["councils"] as? [[String: Any]])?.first?["follow_ups_overdue"] as? Int == 1)
        }
    }
}
