import Foundation
import Testing
import HTTPTypes
import NIOCore

@Suite struct DialogueChannelTests {
    func channel(_ m: String, _ area: String, group: String = "service_users", category: String = "elderly",
                 purpose: String = "formal", kind: String = "newsletter", extra: String = "") -> String {
        #"{"municipality_id":"\#(m)","service_area_id":"\#(area)","target_group":"\#(group)","user_category":"\#(category)","purpose":"\#(purpose)","kind":"\#(kind)","name":"Nyhedsbrev"\#(extra)}"#
    }

    @Test func crudFiltersAndRules() async throws {
        try await withAPI { api in
            let (m, area) = try await seedMunicipality(api)
            let (_, otherArea) = try await seedMunicipality(api, id: "andenby")
            let id = try await api.create("/v1/dialogue-channels", channel(m, area, extra: #","cadence":{"count":3.5,"per":"month"},"volume":"ca. 800 på 18 måneder""#))
            let one = try await api.get("/v1/dialogue-channels/\(id)")
            #expect((one.json["cadence"] as? [String: Any])?["per"] as? String == "month")
            #expect(one.json["active"] as? Bool == true)
            try await api.create("/v1/dialogue-channels", channel(m, area, purpose: "informal", kind: "facebook"))
            #expect(try await api.get("/v1/dialogue-channels?municipality=\(m)&kind=facebook").data.count == 1)
            #expect(try await api.get("/v1/dialogue-channels?purpose=formal&target_group=service_users&user_category=elderly").data.count == 1)
            #expect(try await api.get("/v1/dialogue-channels?service_area=\(area)").data.count == 2)

            let wrongArea = try await api.call(.post, "/v1/dialogue-channels", token: api.service.admin, body: channel(m, otherArea))
            #expect(wrongArea.fieldErrors == ["service_area_id"])
            expectProblem(try await api.call(.post, "/v1/dialogue-channels", token: api.service.admin, body: channel(m, area, kind: "pigeon")), .unprocessableContent)
            expectProblem(try await api.call(.post, "/v1/dialogue-channels", token: api.service.admin,
                                             body: channel(m, area, extra: #","cadence":{"count":-1,"per":"month"}"#)), .unprocessableContent)
            expectProblem(try await api.call(.post, "/v1/dialogue-channels", body: channel(m, area)), .unauthorized)

            let patched = try await api.patch("/v1/dialogue-channels/\(id)", #"{"cadence":null,"active":false}"#)
            #expect(patched.json["cadence"] == nil && patched.json["active"] as? Bool == false)
            #expect(try await api.delete("/v1/dialogue-channels/\(id)").status == .noContent)
            expectProblem(try await api.get("/v1/dialogue-channels/\(id)"), .notFound)
        }
    }

    @Test func overviewGroupsAndFindsGaps() async throws {
        try await withAPI { api in
            let (m, area) = try await seedMunicipality(api)
            try await api.create("/v1/dialogue-channels", channel(m, area, group: "boards_and_councils", kind: "council_meeting"))
            try await api.create("/v1/dialogue-channels", channel(m, area, purpose: "informal", kind: "sms"))
            try await api.create("/v1/dialogue-channels", channel(m, area, group: "hearing_parties", category: "culture", extra: #","active":false"#))
            let overview = try await api.get("/v1/dialogue-overview?municipality=\(m)")
            let areas = try #require(overview.json["service_areas"] as? [[String: Any]])
            let groups = try #require(areas.first?["target_groups"] as? [[String: Any]])
            #expect(groups.compactMap { $0["target_group"] as? String } == ["boards_and_councils", "hearing_parties", "service_users"])
            let users = try #require(groups.last)
            #expect((users["formal"] as? [Any])?.isEmpty == true && (users["informal"] as? [Any])?.count == 1)
            let gap = try #require((overview.json["gaps"] as? [[String: Any]])?.first)
            #expect(gap["target_groups_without_formal_channel"] as? [String] == ["hearing_parties", "service_users", "partners_and_volunteers"])
            #expect((gap["user_categories_not_reached"] as? [String])?.contains("culture") == true, "an inactive channel reaches no one")
            #expect((gap["user_categories_not_reached"] as? [String])?.contains("elderly") == false)
            #expect(try await api.get("/v1/dialogue-overview?municipality=\(m)", headers: ["If-None-Match": overview["ETag"]!]).status == .notModified)
            expectProblem(try await api.get("/v1/dialogue-overview?municipality=nowhere"), .notFound)
        }
    }

    @Test func importIsAllOrNothingAndRoundTripsTheExport() async throws {
        try await withAPI { api in
            let (m, _) = try await seedMunicipality(api)
            let csv = "service_area,target_group,user_category,purpose,kind,name,cadence_count,cadence_per,active\r\n"
                + "Ældre og Sundhed,boards_and_councils,elderly,formal,council_meeting,Ældrerådet,4,year,true\r\n"
                + "\"Teknik og Miljø\",service_users,technical_and_environment,informal,sms,\"SMS, vejarbejde\",3.5,month,\r\n"
            let bad = csv + "Kultur,bogus,culture,formal,facebook,Side,,,\r\nKultur,service_users,culture,formal,facebook,,2,,\r\n"
                + "Kultur,service_users,culture,sometimes,facebook,,,,\r\n"
            let rejected = try await api.call(.post, "/v1/dialogue-channels/import?municipality=\(m)", token: api.service.admin,
                                              body: bad, contentType: "text/csv")
            expectProblem(rejected, .unprocessableContent)
            // Every error of a row, not only the first kind found.
            #expect(Set(rejected.fieldErrors) == ["row 4: target_group", "row 5: cadence", "row 5: name", "row 6: purpose", "row 6: name"])
            let missing = try await api.get("/v1/dialogue-overview")
            expectProblem(missing, .badRequest, "bad-request")
            #expect(missing.string("title") == "Bad request")
            #expect(try await api.get("/v1/dialogue-channels").data.isEmpty, "nothing is stored when a row is bad")

            let imported = try await api.call(.post, "/v1/dialogue-channels/import?municipality=\(m)", token: api.service.admin,
                                              body: csv, contentType: "text/csv")
            #expect(imported.status == .ok && imported.json["imported"] as? Int == 2)
            #expect(imported.json["service_areas_created"] as? [String] == ["Teknik og Miljø"], "Ældre og Sundhed existed and was matched")

            let export = try await api.get("/v1/dialogue-overview?municipality=\(m)&format=csv")
            #expect(export["Content-Type"]?.hasPrefix("text/csv") == true)
            // Export → import updates the same channels: nothing doubles, and the table reads the same.
            let again = try await api.call(.post, "/v1/dialogue-channels/import?municipality=\(m)", token: api.service.admin,
                                           body: export.text, contentType: "text/csv")
            #expect(again.json["imported"] as? Int == 2 && again.json["updated"] as? Int == 2 && again.json["created"] as? Int == 0)
            #expect(try await api.get("/v1/dialogue-channels?municipality=\(m)").data.count == 2)
            let reexport = try await api.get("/v1/dialogue-overview?municipality=\(m)&format=csv")
            #expect(reexport.text == export.text, "an exported inventory imports into the same table")
            // Another municipality's ids are refused row by row, and nothing is stored there.
            let (n, _) = try await seedMunicipality(api, id: "andenby")
            let foreign = try await api.call(.post, "/v1/dialogue-channels/import?municipality=\(n)", token: api.service.admin,
                                             body: export.text, contentType: "text/csv")
            expectProblem(foreign, .unprocessableContent)
            #expect(foreign.fieldErrors == ["row 2: id", "row 3: id"])
            #expect(try await api.get("/v1/dialogue-channels?municipality=\(n)").data.isEmpty)

            expectProblem(try await api.call(.post, "/v1/dialogue-channels/import?municipality=\(m)", token: api.service.admin,
                                             body: "name,colour\r\nx,red\r\n", contentType: "text/csv"), .unprocessableContent)
            expectProblem(try await api.call(.post, "/v1/dialogue-channels/import?municipality=\(m)", token: api.service.admin,
                                             body: csv, contentType: "application/json"), .unsupportedMediaType)
            expectProblem(try await api.call(.post, "/v1/dialogue-channels/import?municipality=\(m)", token: try await api.service.token(.admin, [n]),
                                             body: csv, contentType: "text/csv"), .forbidden)
        }
    }

    /// What Excel in Denmark and Norway saves: windows-1252 and semicolons; an edited export with ids.
    @Test func excelFilesImportAsTheyAreSaved() async throws {
        try await withAPI { api in
            let (m, _) = try await seedMunicipality(api)
            let rows = "service_area;target_group;user_category;purpose;kind;name;cadence_count;cadence_per\r\n"
                + "Ældre og Sundhed;boards_and_councils;elderly;formal;council_meeting;Ældrerådet, Åby;1,5;month\r\n"
            let cp1252 = try #require(rows.data(using: .windowsCP1252))
            func importing(_ body: Data, _ contentType: String) async throws -> Reply {
                let response = try await api.client.execute(
                    uri: "/v1/dialogue-channels/import?municipality=\(m)", method: .post,
                    headers: [.authorization: "Bearer \(api.service.admin)", .contentType: contentType], body: ByteBuffer(bytes: body))
                return Reply(status: response.status, headers: response.headers, text: String(buffer: response.body))
            }
            // Undeclared windows-1252 is not UTF-8: a 422 that says how to fix it, and nothing stored.
            let undeclared = try await importing(cp1252, "text/csv")
            expectProblem(undeclared, .unprocessableContent)
            #expect(undeclared.fieldErrors == ["body"] && undeclared.text.contains("CSV UTF-8") && undeclared.text.contains("charset=windows-1252"))
            #expect(try await api.get("/v1/dialogue-channels?municipality=\(m)").data.isEmpty)
            expectProblem(try await importing(cp1252, "text/csv; charset=koi8-r"), .unsupportedMediaType)
            // Declared, it imports with its letters intact, into the existing service area, cells split at semicolons.
            for charset in ["windows-1252", "ISO-8859-1", "\"windows-1252\""] {
                let declared = try await importing(cp1252, "text/csv; charset=\(charset)")
                #expect(declared.status == .ok && declared.json["service_areas_created"] as? [String] == [], "\(charset): \(declared.text)")
            }
            let channels = try await api.get("/v1/dialogue-channels?municipality=\(m)").data
            #expect(channels.count == 3 && channels.allSatisfy { $0["name"] as? String == "Ældrerådet, Åby" })
            #expect((channels.first?["cadence"] as? [String: any Sendable])?["count"] as? Double == 1.5)
            // UTF-8 with a byte-order mark, semicolons, and an id that updates; a deleted channel's id is refused.
            let first = try #require(channels.first?["id"] as? String), last = try #require(channels.last?["id"] as? String)
            try expectOK(try await api.delete("/v1/dialogue-channels/\(last)"))
            let edited = "\u{FEFF}id;service_area;target_group;user_category;purpose;kind;name\r\n"
                + "\(first);Ældre og Sundhed;boards_and_councils;elderly;formal;council_meeting;Ældrerådet\r\n"
                + ";Kultur;service_users;culture;informal;facebook;Kulturhusets side\r\n"
            let stale = try await importing(Data((edited + "\(last);Kultur;service_users;culture;formal;sms;SMS\r\n").utf8), "text/csv")
            expectProblem(stale, .unprocessableContent)
            #expect(stale.fieldErrors == ["row 4: id"])
            let applied = try await importing(Data(edited.utf8), "text/csv; charset=utf-8")
            #expect(applied.json["created"] as? Int == 1 && applied.json["updated"] as? Int == 1, "\(applied.text)")
            #expect(try await api.get("/v1/dialogue-channels/\(first)").string("name") == "Ældrerådet")
            #expect(try await api.get("/v1/dialogue-channels?municipality=\(m)").data.count == 3)
        }
    }

    /// An edited file with fewer columns than the export updates what it shows and keeps the rest; every bad
    /// row of a file is named in one answer.
    @Test func anImportWithFewerColumnsKeepsWhatItDoesNotShow() async throws {
        try await withAPI { api in
            let (m, area) = try await seedMunicipality(api)
            let id = try await api.create("/v1/dialogue-channels", #"""
                {"municipality_id":"\#(m)","service_area_id":"\#(area)","target_group":"service_users","user_category":"elderly",
                 "purpose":"formal","kind":"newsletter","name":"Nyhedsbrev","description":"Hver måned","assessment":"Godt","active":true}
                """#)
            let csv = "id;service_area;target_group;user_category;purpose;kind;name;active\r\n"
                + "\(id);Ældre og Sundhed;service_users;elderly;formal;newsletter;Nyhedsbrevet;FALSK\r\n"
            let reply = try await api.call(.post, "/v1/dialogue-channels/import?municipality=\(m)", token: api.service.admin, body: csv, contentType: "text/csv")
            #expect(reply.json["updated"] as? Int == 1, "\(reply.text)")
            let channel = try await api.get("/v1/dialogue-channels/\(id)")
            #expect(channel.string("name") == "Nyhedsbrevet" && channel.json["active"] as? Bool == false)
            #expect(channel.string("description") == "Hver måned" && channel.string("assessment") == "Godt")
            // A repeated id, an unknown id and an unknown council in one file: one 422 naming all three rows.
            let bad = "id,service_area,target_group,user_category,purpose,kind,name,council_id\r\n"
                + "\(id),Kultur,service_users,culture,formal,sms,A,\r\n"
                + "\(id),Kultur,service_users,culture,formal,sms,B,\r\n"
                + "chn_nosuchchannel,Kultur,service_users,culture,formal,sms,C,\r\n"
                + ",Kultur,service_users,culture,formal,sms,D,cou_nosuchcouncil\r\n"
            let rejected = try await api.call(.post, "/v1/dialogue-channels/import?municipality=\(m)", token: api.service.admin, body: bad, contentType: "text/csv")
            expectProblem(rejected, .unprocessableContent)
            #expect(Set(rejected.fieldErrors) == ["row 3: id", "row 4: id", "row 5: council_id"], "\(rejected.text)")
        }
    }
}
