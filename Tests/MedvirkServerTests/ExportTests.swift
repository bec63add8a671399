import CompressNIO
import Foundation
import HTTPTypes
import NIOCore
import Testing

/// Parses RFC 4180 CSV (quoted fields, doubled quotes, CRLF).
func parseCSV(_ text: String) -> [[String]] {
    var rows: [[String]] = [], row: [String] = [], field = "", quoted = false
    var characters = Array(text.unicodeScalars)[...]
    while let c = characters.popFirst() {
        if quoted {
            if c == "\"" {
                if characters.first == "\"" { field.unicodeScalars.append("\""); characters.removeFirst() } else { quoted = false }
            } else { field.unicodeScalars.append(c) }
        } else if c == "\"" { quoted = true }
        else if c == "," { row.append(field); field = "" }
        else if c == "\r" { continue }
        else if c == "\n" { row.append(field); rows.append(row); row = []; field = "" }
        else { field.unicodeScalars.append(c) }
    }
    return rows
}

func gunzip(_ reply: Reply, raw: ByteBuffer) throws -> String {
    var buffer = raw
    let plain = try buffer.decompress(with: .gzip())
    return String(buffer: plain)
}

@Suite struct ExportTests {
    func download(_ api: API, _ uri: String) async throws -> (Reply, String) {
        var fields = HTTPFields()
        fields[.authorization] = "Bearer \(api.service.admin)"
        let response = try await api.client.execute(uri: uri, method: .get, headers: fields, body: nil)
        let reply = Reply(status: response.status, headers: response.headers, text: "")
        #expect(response.status == .ok, "\(uri): \(String(buffer: response.body))")
        return (reply, try gunzip(reply, raw: response.body))
    }

    @Test func responsesExportAsGzipCSVAndNDJSONMatchingTheAPI() async throws {
        try await withAPI { api in
            let (m, _) = try await seedMunicipality(api)
            let id = try await seedConsultation(api, municipality: m)
            let partner = try await api.service.token(.partner)
            for i in 0..<1_200 {
                let text = i == 3 ? "Med \\\"citat\\\", komma og\\nny linje" : "Svar nummer \(i) om Åvej"
                #expect(try await submit(api, id, token: partner, key: "k\(i)", text: text).status == .created)
            }
            let (csvReply, csv) = try await download(api, "/v1/consultations/\(id)/responses/export?format=csv")
            #expect(csvReply["Content-Type"] == "application/gzip")
            #expect(csvReply["Content-Disposition"] == "attachment; filename=\"\(m)-\(id)-responses.csv.gz\"")
            #expect(csvReply["ETag"] != nil)
            #expect(csv.hasPrefix("\u{FEFF}\"receipt_number\""))
            let rows = parseCSV(String(csv.dropFirst()))
            #expect(rows.count == 1_201)
            let header = rows[0]
            let api200 = try await api.get("/v1/consultations/\(id)/responses?limit=200", token: api.service.admin).data
            for (row, expected) in zip(rows.dropFirst(), api200) {
                let record = Dictionary(uniqueKeysWithValues: zip(header, row))
                #expect(record["id"] == expected["id"] as? String)
                #expect(record["receipt_number"] == expected["receipt_number"] as? String)
                #expect(record["text"] == expected["text"] as? String)
                #expect(record["received_at"] == expected["received_at"] as? String)
                #expect(record["email"] == (expected["respondent"] as? [String: Any])?["email"] as? String)
            }

            let (_, ndjson) = try await download(api, "/v1/consultations/\(id)/responses/export?format=ndjson")
            let lines = ndjson.split(separator: "\n")
            #expect(lines.count == 1_200)
            let first = try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as! [String: Any]
            let fromAPI = try await api.get("/v1/responses/\(first["id"] as! String)", token: api.service.admin)
            #expect(String(lines[0]).replacingOccurrences(of: #""type":"response","#, with: "") == fromAPI.text,
                    "an exported row is byte for byte what the API returns")

            expectProblem(try await api.get("/v1/consultations/\(id)/responses/export"), .unauthorized)
            expectProblem(try await api.get("/v1/consultations/\(id)/responses/export", token: partner), .forbidden)
        }
    }

    @Test func municipalityExportHoldsEverything() async throws {
        try await withAPI { api in
            let (m, _) = try await seedMunicipality(api)
            let council = try await seedCouncil(api, municipality: m)
            try await api.create("/v1/councils/\(council)/members", #"{"name":"Else","role":"chair","group":"users","voting":true,"term_start":"2025-01-01","email":"else@example.dk"}"#)
            let id = try await seedConsultation(api, municipality: m)
            try await api.create("/v1/consultations/\(id)/parties", #"{"name":"Ældrerådet","kind":"council","council_id":"\#(council)"}"#)
            #expect(try await submit(api, id, token: try await api.service.token(.partner), key: "k").status == .created)
            try await api.create("/v1/consultations/\(id)/themes", #"{"title":"Trafik"}"#)
            let (reply, text) = try await download(api, "/v1/municipalities/\(m)/export")
            #expect(reply["Content-Disposition"] == "attachment; filename=\"\(m)-export.ndjson.gz\"")
            let objects = try text.split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
            let types = objects.compactMap { $0["type"] as? String }
            #expect(types == ["municipality", "service_area", "council", "member", "consultation", "party", "response", "theme"])
            #expect(objects.contains { ($0["email"] as? String) == "else@example.dk" })

            let council200 = try await api.get("/v1/councils/\(council)")
            let councilLine = text.split(separator: "\n")[2]
            #expect(String(councilLine).replacingOccurrences(of: #","type":"council""#, with: "") == council200.text)
            let again = try await api.get("/v1/municipalities/\(m)/export", token: api.service.admin, headers: ["If-None-Match": reply["ETag"]!])
            #expect(again.status == .notModified)
        }
    }
}
