import Crypto
import Foundation
import HTTPTypes
import HummingbirdTesting
import MedvirkCore
@testable import MedvirkServer
@testable import MedvirkStore
import NIOCore
import OpenAPIRuntime
import Testing

extension API {
    /// POSTs raw bytes to `/v1/files`.
    func upload(_ bytes: Data, token: String? = nil, municipality: String? = "testby", contentType: String? = "application/octet-stream",
                filename: String? = nil, headers: [String: String] = [:]) async throws -> Reply {
        var fields = HTTPFields()
        fields[.authorization] = "Bearer \(token ?? service.admin)"
        if let contentType { fields[.contentType] = contentType }
        if let filename { fields[.contentDisposition] = "attachment; filename*=UTF-8''" + Filename.percentEncoded(filename) }
        for (name, value) in headers { fields[HTTPField.Name(name)!] = value }
        let uri = "/v1/files" + (municipality.map { "?municipality=\($0)" } ?? "")
        let response = try await client.execute(uri: uri, method: .post, headers: fields, body: ByteBuffer(bytes: bytes))
        return Reply(status: response.status, headers: response.headers, text: String(buffer: response.body))
    }

    /// Uploads as `token` and returns the file's id.
    func uploaded(_ bytes: Data, token: String? = nil, key: String? = nil, filename: String = "brev.pdf") async throws -> String {
        let reply = try await upload(bytes, token: token, filename: filename, headers: key.map { ["Idempotency-Key": $0] } ?? [:])
        try #require(reply.status == .created, "upload gave \(reply.status): \(reply.text)")
        return try #require(reply.string("id"))
    }

    /// A GET whose body is kept as bytes.
    func bytes(_ uri: String, token: String? = nil, headers: [String: String] = [:]) async throws -> (HTTPResponse.Status, HTTPFields, Data) {
        var fields = HTTPFields()
        if let token { fields[.authorization] = "Bearer \(token)" }
        for (name, value) in headers { fields[HTTPField.Name(name)!] = value }
        let response = try await client.execute(uri: uri, method: .get, headers: fields, body: nil)
        return (response.status, response.headers, Data(buffer: response.body))
    }
}

func sha256(_ data: Data) -> String { Hex.string(SHA256.hash(data: data)) }

/// A PDF larger than one stored chunk, so reads and ranges cross chunk boundaries.
let largePDF: Data = {
    var data = SampleFiles.pdf
    data.append(Data(repeating: UInt8(ascii: "%"), count: 600_000))
    data.append(Data("\n%%EOF\n".utf8))
    return data
}()

@Suite struct FileUploadTests {
    @Test(arguments: [(SampleFiles.pdf, "application/pdf"), (SampleFiles.docx, AcceptedFileType.docx.rawValue), (SampleFiles.xlsx, AcceptedFileType.xlsx.rawValue),
                      (SampleFiles.odt, AcceptedFileType.odt.rawValue), (SampleFiles.ods, AcceptedFileType.ods.rawValue),
                      (SampleFiles.png, "image/png"), (SampleFiles.jpeg, "image/jpeg"), (SampleFiles.text, "text/plain"), (largePDF, "application/pdf")])
    func eachAcceptedTypeIsStoredAndServedBackByteForByte(file: Data, type: String) async throws {
        try await withAPI { api in
            _ = try await seedMunicipality(api)
            let reply = try await api.upload(file, filename: "bilag")
            try #require(reply.status == .created, "\(reply.text)")
            #expect(reply.string("media_type") == type)
            #expect(reply.json["size"] as? Int == file.count)
            #expect(reply.string("sha256") == sha256(file))
            #expect(reply.string("status") == "unattached")
            let id = try #require(reply.string("id"))
            #expect(reply["Location"] == "/v1/files/\(id)")
            let (status, headers, body) = try await api.bytes("/v1/files/\(id)/content", token: api.service.admin)
            #expect(status == .ok)
            #expect(body == file)
            #expect(headers[.eTag] == "\"\(sha256(file))\"")
            #expect(headers[.contentType]?.hasPrefix(type) == true)
            #expect(headers[.xContentTypeOptions] == "nosniff")
            #expect(headers[.contentSecurityPolicy] == "sandbox")
            #expect(headers[.contentDisposition]?.hasPrefix("attachment;") == true)
            #expect(headers[.cacheControl] == "private, no-store")
        }
    }

    @Test func theContentDecidesTheTypeNotTheClient() async throws {
        try await withAPI { api in
            _ = try await seedMunicipality(api)
            let spoofed = try await api.upload(SampleFiles.pdf, contentType: "image/png")
            expectProblem(spoofed, .unsupportedMediaType, "media-type-mismatch")
            #expect(spoofed.string("detail")?.contains("image/png") == true && spoofed.string("detail")?.contains("application/pdf") == true)
            for refused in [SampleFiles.html, SampleFiles.svg, SampleFiles.plainZip, SampleFiles.latin1, ContentCheckTests.docm] {
                expectProblem(try await api.upload(refused), .unsupportedMediaType)
            }
            // Macros declared only in the (compressed) content types, in a part not called vbaProject.bin.
            let disguised = SampleFiles.zip([
                ("[Content_Types].xml", #"<Types><Override PartName="/word/document.xml" ContentType="application/vnd.ms-word.document.macroEnabled.main+xml"/></Types>"#),
                ("_rels/.rels", "<Relationships/>"), ("word/document.xml", "<w:document/>"), ("word/stuff.dat", "macro")],
                deflated: ["[Content_Types].xml"])
            #expect(try MediaTypeDetector().acceptedType(of: disguised) == .docx)
            expectProblem(try await api.upload(disguised), .unsupportedMediaType)
            // Content types that cannot be read (damaged compressed data) cannot be checked: refused, never a 500.
            let damaged = SampleFiles.zip([("[Content_Types].xml", String(repeating: "<Types/>", count: 40)), ("_rels/.rels", "<Relationships/>"),
                                           ("word/document.xml", "<w:document/>")], deflated: ["[Content_Types].xml"], damage: ["[Content_Types].xml"])
            expectProblem(try await api.upload(damaged), .unsupportedMediaType)
            // An HTML page sent as a PDF is still HTML.
            expectProblem(try await api.upload(SampleFiles.html, contentType: "application/pdf"), .unsupportedMediaType)
            expectProblem(try await api.upload(ContentCheckTests.encryptedPDF), .unprocessableContent, "encrypted-file")
            expectProblem(try await api.upload(Data()), .unprocessableContent)
            // Nothing refused left bytes behind.
            #expect(try await api.service.store.pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM file_chunks") } == 0)
            // The declared type may be exact, carry parameters, or leave it to the content.
            #expect(try await api.upload(SampleFiles.text, contentType: "text/plain; charset=utf-8").status == .created)
            #expect(try await api.upload(SampleFiles.png, contentType: nil).status == .created)
        }
    }

    @Test func oversizeIsRefusedBeforeReadingAndLeavesNothing() async throws {
        try await withAPI(configure: { $0.maxFileBytes = 300_000 }) { api in
            _ = try await seedMunicipality(api)
            // The test client sends Content-Length, so this is the check before anything is read.
            expectProblem(try await api.upload(largePDF), .contentTooLarge, "payload-too-large")
            let counts = try await api.service.store.pool.read { db in
                (try Int.fetchOne(db, sql: "SELECT count(*) FROM file_chunks"), try Int.fetchOne(db, sql: "SELECT count(*) FROM file_contents"))
            }
            #expect(counts.0 == 0 && counts.1 == 0)
            #expect(try await api.upload(SampleFiles.pdf).status == .created)
        }
    }

    /// A body without a length (chunked) is counted as it streams: refused past the limit, after a stored
    /// chunk, whose bytes are deleted again.
    @Test func oversizeIsRefusedWhileStreamingAndTheWrittenChunksAreDeleted() async throws {
        let service = try await Service.make()
        let receiver = UploadReceiver(store: service.store, detector: try MediaTypeDetector(), scanner: ClamdScanner(address: nil),
                                      maxBytes: 300_000)
        let pieces = stride(from: 0, to: largePDF.count, by: 50_000).map { ArraySlice(largePDF[$0..<min($0 + 50_000, largePDF.count)]) }
        let body = HTTPBody(AsyncStream { continuation in
            for piece in pieces { continuation.yield(piece) }
            continuation.finish()
        }, length: .unknown, iterationBehavior: .single)
        await #expect(throws: Problem.self) { try await receiver.receive(body, declared: nil) }
        let chunks = try await service.store.pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM file_chunks") }
        #expect(chunks == 0)
    }

    @Test func namesComeFromContentDispositionAndAreMadeSafe() async throws {
        try await withAPI { api in
            _ = try await seedMunicipality(api)
            let named = try await api.upload(SampleFiles.pdf, filename: "Høringssvar \u{202E}fdp.exe")
            #expect(named.string("filename") == "Høringssvar fdp.exe.pdf")
            // The extension follows the content, never the name's claim.
            #expect(try await api.upload(SampleFiles.pdf, filename: "svar.html").string("filename") == "svar.html.pdf")
            #expect(try await api.upload(SampleFiles.jpeg, filename: "foto.JPEG").string("filename") == "foto.JPEG")
            let plain = try await api.upload(SampleFiles.pdf, contentType: "application/pdf", headers: ["Content-Disposition": #"attachment; filename="svar \"1\".pdf""#])
            #expect(plain.string("filename") == #"svar "1".pdf"#)
            expectProblem(try await api.upload(SampleFiles.pdf, filename: "../../etc/passwd"), .unprocessableContent)
            expectProblem(try await api.upload(SampleFiles.pdf, headers: ["Content-Disposition": "attachment; filename*=UTF-8''%ZZ"]), .unprocessableContent)
            let unnamed = try await api.upload(SampleFiles.png)
            #expect(unnamed.string("filename") == "file.png")
            let id = try #require(named.string("id"))
            let (_, headers, _) = try await api.bytes("/v1/files/\(id)/content", token: api.service.admin)
            #expect(headers[.contentDisposition] == "attachment; filename=\"Hoeringssvar fdp.exe.pdf\"; filename*=UTF-8''H%C3%B8ringssvar%20fdp.exe.pdf")
        }
    }

    @Test func partnersNeedAnIdempotencyKeyAndAReplayAnswersTheSameFile() async throws {
        try await withAPI { api in
            _ = try await seedMunicipality(api)
            let partner = try await api.service.token(.partner)
            expectProblem(try await api.upload(SampleFiles.pdf, token: partner), .unprocessableContent, "idempotency-key-required")
            let first = try await api.upload(SampleFiles.pdf, token: partner, filename: "a", headers: ["Idempotency-Key": "k1"])
            let again = try await api.upload(SampleFiles.pdf, token: partner, filename: "a", headers: ["Idempotency-Key": "k1"])
            #expect(first.status == .created && again.status == .created)
            #expect(again.string("id") == first.string("id"))
            #expect(again["Idempotency-Replayed"] == "true")
            expectProblem(try await api.upload(SampleFiles.png, token: partner, filename: "a.pdf", headers: ["Idempotency-Key": "k1"]),
                          .unprocessableContent, "idempotency-key-reused")
            // Another partner cannot read it, nor the public; its uploader and the admins can.
            let other = try await api.service.token(.partner)
            let id = try #require(first.string("id"))
            expectProblem(try await api.get("/v1/files/\(id)", token: other), .notFound)
            expectProblem(try await api.get("/v1/files/\(id)/content"), .notFound)
            #expect(try await api.get("/v1/files/\(id)", token: partner).status == .ok)
            // A token limited to one municipality may leave `municipality` out, and may not name another.
            let limited = try await api.service.token(.partner, ["testby"])
            #expect(try await api.upload(SampleFiles.pdf, token: limited, municipality: nil, headers: ["Idempotency-Key": "k"]).status == .created)
            expectProblem(try await api.upload(SampleFiles.pdf, token: limited, municipality: "andetby", headers: ["Idempotency-Key": "k2"]), .forbidden)
            expectProblem(try await api.upload(SampleFiles.pdf, municipality: nil), .unprocessableContent)
        }
    }

    @Test func onlyTheUploaderOrAnAdminDeletesAndOnlyWhileUnattached() async throws {
        try await withAPI { api in
            _ = try await seedMunicipality(api)
            let partner = try await api.service.token(.partner), other = try await api.service.token(.partner)
            let id = try await api.uploaded(SampleFiles.pdf, token: partner, key: "d1")
            expectProblem(try await api.delete("/v1/files/\(id)", token: other), .notFound)
            #expect(try await api.delete("/v1/files/\(id)", token: partner).status == .noContent)
            expectProblem(try await api.get("/v1/files/\(id)", token: partner), .notFound)
            let attached = try await api.uploaded(SampleFiles.pdf)
            try await seedConsultation(api, municipality: "testby", extra: #","documents":[{"title":"Brev","file_id":"\#(attached)"}]"#)
            expectProblem(try await api.delete("/v1/files/\(attached)"), .conflict, "file-attached")
        }
    }
}

@Suite struct FileDownloadTests {
    @Test func byteRangesAsRFC9110Says() async throws {
        try await withAPI { api in
            _ = try await seedMunicipality(api)
            let id = try await api.uploaded(largePDF)
            let admin = api.service.admin, uri = "/v1/files/\(id)/content", size = largePDF.count
            // Across the first chunk boundary (262 144).
            let (status, headers, body) = try await api.bytes(uri, token: admin, headers: ["Range": "bytes=262140-262150"])
            #expect(status == .partialContent)
            #expect(body == largePDF.subdata(in: 262_140..<262_151))
            #expect(headers[.contentRange] == "bytes 262140-262150/\(size)")
            let (_, _, suffix) = try await api.bytes(uri, token: admin, headers: ["Range": "bytes=-5"])
            #expect(suffix == largePDF.suffix(5))
            let (_, _, open) = try await api.bytes(uri, token: admin, headers: ["Range": "bytes=600000-"])
            #expect(open == largePDF.subdata(in: 600_000..<size))
            let outside = try await api.get(uri, token: admin, headers: ["Range": "bytes=\(size)-"])
            expectProblem(outside, .rangeNotSatisfiable)
            #expect(outside["Content-Range"] == "bytes */\(size)")
            // If-Range with the current tag serves the range; with another, the whole file.
            let tag = "\"\(sha256(largePDF))\""
            #expect(try await api.bytes(uri, token: admin, headers: ["Range": "bytes=0-9", "If-Range": tag]).0 == .partialContent)
            let stale = try await api.bytes(uri, token: admin, headers: ["Range": "bytes=0-9", "If-Range": "\"other\""])
            #expect(stale.0 == .ok && stale.2 == largePDF)
            // Several ranges, or nonsense, are ignored: the whole file.
            #expect(try await api.bytes(uri, token: admin, headers: ["Range": "bytes=0-1,5-6"]).2 == largePDF)
            #expect(try await api.bytes(uri, token: admin, headers: ["Range": "pages=1"]).0 == .ok)
            // And the entity tag revalidates.
            #expect(try await api.bytes(uri, token: admin, headers: ["If-None-Match": tag]).0 == .notModified)
            // If-None-Match is evaluated before Range (RFC 9110 §13.2.2), a range outside the file too.
            #expect(try await api.bytes(uri, token: admin, headers: ["If-None-Match": tag, "Range": "bytes=0-9"]).0 == .notModified)
            #expect(try await api.bytes(uri, token: admin, headers: ["If-None-Match": tag, "Range": "bytes=\(size)-"]).0 == .notModified)
            // A page on another origin may ask for ranges and read the answer's range headers.
            let preflight = try await api.call(.options, uri, headers: ["Origin": "https://kommune.example", "Access-Control-Request-Method": "GET",
                                                                       "Access-Control-Request-Headers": "range,if-range"])
            #expect(preflight["Access-Control-Allow-Headers"]?.contains("Range") == true)
            #expect(preflight["Access-Control-Expose-Headers"]?.contains("Content-Range") == true)
            // HEAD: GET's headers, the length included, and no body.
            var fields = HTTPFields()
            fields[.authorization] = "Bearer \(admin)"
            let head = try await api.client.execute(uri: uri, method: .head, headers: fields, body: nil)
            #expect(head.status == .ok && head.headers[.contentLength] == String(size) && head.body.readableBytes == 0)
            #expect(head.headers[.eTag] == tag)
        }
    }

    @Test func hostedDocumentsAreAsPublicAsTheirConsultation() async throws {
        try await withAPI { api in
            _ = try await seedMunicipality(api)
            _ = try await api.create("/v1/municipalities", #"{"id":"andetby","name":"Andetby Kommune","country":"DK","time_zone":"Europe/Copenhagen"}"#)
            let letter = try await api.uploaded(SampleFiles.pdf, filename: "Høringsbrev.pdf")
            let documents = #"[{"title":"Høringsbrev","file_id":"\#(letter)","kind":"hearing_letter","language":"da"},{"title":"Kort","url":"https://example.dk/k.pdf"}]"#
            let draft = try await api.create("/v1/consultations", #"""
                {"municipality_id":"testby","short_period_reason":"Kort frist i testen","title":"Skolestruktur","status":"draft","opens_at":"\#(rfc3339(Date()))",
                 "closes_at":"\#(rfc3339(Date() + 86_400))","documents":\#(documents)}
                """#)
            let shown = try await api.get("/v1/consultations/\(draft)", token: api.service.admin)
            let first = try #require((shown.json["documents"] as? [[String: any Sendable]])?.first)
            #expect((first["file"] as? [String: any Sendable])?["sha256"] as? String == sha256(SampleFiles.pdf))
            #expect(first["kind"] as? String == "hearing_letter")
            expectProblem(try await api.get("/v1/files/\(letter)/content"), .notFound)
            try expectOK(try await api.patch("/v1/consultations/\(draft)", #"{"status":"published"}"#))
            let (status, headers, body) = try await api.bytes("/v1/files/\(letter)/content")
            #expect(status == .ok && body == SampleFiles.pdf)
            #expect(headers[.cacheControl]?.hasPrefix("public") == true)
            // The public feed announced the file once it became readable.
            let feed = try await api.get("/v1/changes?limit=200")
            #expect(feed.data.contains { $0["type"] as? String == "file" && $0["id"] as? String == letter && $0["action"] as? String == "created" })
            // One object only; never another municipality's file; detached by editing the documents.
            let elsewhere = try await api.call(.post, "/v1/consultations", token: api.service.admin, body: #"""
                {"municipality_id":"testby","title":"Anden","opens_at":"\#(rfc3339(Date()))","closes_at":"\#(rfc3339(Date() + 86_400))",
                 "documents":[{"title":"x","file_id":"\#(letter)"}]}
                """#)
            expectProblem(elsewhere, .conflict, "file-attached")
            let foreign = try await api.uploaded(SampleFiles.png)
            let wrongTown = try await api.call(.post, "/v1/consultations", token: api.service.admin, body: #"""
                {"municipality_id":"andetby","title":"Anden","opens_at":"\#(rfc3339(Date()))","closes_at":"\#(rfc3339(Date() + 86_400))",
                 "documents":[{"title":"x","file_id":"\#(foreign)"}]}
                """#)
            expectProblem(wrongTown, .unprocessableContent)
            #expect(wrongTown.fieldErrors == ["documents[0].file_id"])
            expectProblem(try await api.patch("/v1/consultations/\(draft)", #"{"documents":[{"title":"x","url":"https://e.dk/a","file_id":"\#(letter)"}]}"#),
                          .unprocessableContent)
            try expectOK(try await api.patch("/v1/consultations/\(draft)", #"{"documents":[]}"#))
            #expect(try await api.get("/v1/files/\(letter)", token: api.service.admin).string("status") == "unattached")
            expectProblem(try await api.get("/v1/files/\(letter)/content"), .notFound)
        }
    }

    @Test func meetingsHostTheirInvitationAndSignedMinutes() async throws {
        try await withAPI { api in
            _ = try await seedMunicipality(api)
            let invitation = try await api.uploaded(SampleFiles.pdf, filename: "Indkaldelse.pdf")
            let meeting = try await seedMeeting(api, municipality: "testby", council: nil,
                                                extra: #","public":false,"documents":[{"title":"Indkaldelse","file_id":"\#(invitation)"}]"#)
            expectProblem(try await api.get("/v1/files/\(invitation)/content"), .notFound)
            try expectOK(try await api.patch("/v1/meetings/\(meeting)", #"{"public":true}"#))
            #expect(try await api.bytes("/v1/files/\(invitation)/content").0 == .ok)
            // Approving the minutes may attach the signed PDF in the same request; only a PDF.
            _ = try await api.call(.put, "/v1/meetings/\(meeting)/minutes", token: api.service.admin, body: #"{"text":"Referat"}"#)
            let image = try await api.uploaded(SampleFiles.png)
            let notPDF = try await api.call(.post, "/v1/meetings/\(meeting)/minutes/approve", token: api.service.admin,
                                            body: #"{"signed_file_id":"\#(image)"}"#)
            expectProblem(notPDF, .unprocessableContent)
            #expect(notPDF.fieldErrors == ["signed_file_id"])
            let listed = try await api.call(.post, "/v1/meetings/\(meeting)/minutes/approve", token: api.service.admin,
                                            body: #"{"signed_file_id":"\#(invitation)"}"#)
            #expect(listed.fieldErrors == ["signed_file_id"])
            let cprTitle = try await api.call(.post, "/v1/meetings/\(meeting)/minutes/approve", token: api.service.admin,
                                              body: #"{"signed_file_id":"\#(image)","title":"Referat 120385-1233"}"#)
            #expect(cprTitle.fieldErrors.contains("title"))
            let signed = try await api.uploaded(largePDF, filename: "Referat underskrevet.pdf")
            try expectOK(try await api.call(.post, "/v1/meetings/\(meeting)/minutes/approve", token: api.service.admin,
                                            body: #"{"signed_file_id":"\#(signed)"}"#))
            let documents = try await api.get("/v1/meetings/\(meeting)").json["documents"] as? [[String: any Sendable]] ?? []
            #expect(documents.map { $0["kind"] as? String } == ["other", "minutes"])
            #expect(documents.last?["title"] as? String == "Signed minutes")
            #expect(try await api.bytes("/v1/files/\(signed)/content").2 == largePDF)
            // The signed minutes belong to the approved record; another minutes document does not.
            expectProblem(try await api.patch("/v1/meetings/\(meeting)", #"{"documents":[]}"#), .conflict, "minutes-approved")
            let extra = try await api.uploaded(SampleFiles.pdf, filename: "Bilag.pdf")
            let kept = #"{"title":"Signed minutes","file_id":"\#(signed)","kind":"minutes"}"#
            try expectOK(try await api.patch("/v1/meetings/\(meeting)", #"{"documents":[\#(kept),{"title":"Forkert","file_id":"\#(extra)","kind":"minutes"}]}"#))
            try expectOK(try await api.patch("/v1/meetings/\(meeting)", #"{"documents":[\#(kept)]}"#))
        }
    }

    /// An upload of the same bytes finishing while a deleted file's content is half deleted must store its
    /// own chunks, never point at the ones going (the deletion's first transaction takes the sha256 away).
    @Test func anUploadFinishingWhileItsTwinIsDeletedIsWhole() async throws {
        try await withAPI { api in
            _ = try await seedMunicipality(api)
            let store = api.service.store
            let actor = WriteActor(tokenId: "t", tokenName: "test", method: "POST", path: "/v1/files", requestId: "r")
            let bytes = Data((0..<(40 * Store.fileChunkBytes)).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 9) })
            let digest = sha256(bytes)
            func file(_ name: String) -> NewFile {
                NewFile(municipalityId: "testby", filename: name, mediaType: "application/pdf", uploadedBy: "t", idempotencyKey: nil)
            }
            let first = try await store.storeFile(bytes, file("a.pdf"), actor: actor)
            // The twin's chunks are written; only its recording commit remains.
            let content = try await store.beginFileContent()
            for (seq, start) in stride(from: 0, to: bytes.count, by: Store.fileChunkBytes).enumerated() {
                try await store.appendFileChunk(content, seq: seq, bytes.subdata(in: start..<start + Store.fileChunkBytes))
            }
            // The first file goes, and its content's first batch of chunks with it; then the twin finishes.
            try await store.pool.write { db in try db.execute(sql: "DELETE FROM files WHERE id = ?", arguments: [first.id]) }
            #expect(try await store.deleteContentBatch(first.contentId, onlyIfUnfinished: false) == 16)
            let twin = try await store.finishFileUpload(content: content, size: Int64(bytes.count), sha256: digest, file("b.pdf"), actor: actor)
            try await store.deleteContent(first.contentId, onlyIfUnfinished: false)
            let read = try await store.fileBytes(content: twin.contentId, 0..<Int64(bytes.count))
            #expect(read.count == bytes.count && sha256(read) == digest, "the twin reads back \(read.count) of \(bytes.count) bytes")
        }
    }

    @Test func unattachedFilesArePurgedAfterADay() async throws {
        try await withAPI { api in
            _ = try await seedMunicipality(api)
            let kept = try await api.uploaded(SampleFiles.pdf)
            let dropped = try await api.uploaded(largePDF)
            try await seedConsultation(api, municipality: "testby", extra: #","documents":[{"title":"Brev","file_id":"\#(kept)"}]"#)
            await api.service.clock.advance(by: 23 * 3600)
            #expect(try await api.get("/v1/files/\(dropped)", token: api.service.admin).status == .ok)
            await api.service.clock.advance(by: 3600 + 1)
            expectProblem(try await api.get("/v1/files/\(dropped)", token: api.service.admin), .notFound)
            #expect(try await api.get("/v1/files/\(kept)", token: api.service.admin).status == .ok)
            let chunks = try await api.service.store.pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM file_chunks") }
            #expect(chunks == 1)
        }
    }
}

@Suite struct ResponseAttachmentTests {
    @Test func anAttachmentIsWithheldUntilModerationPublishesIt() async throws {
        try await withAPI { api in
            _ = try await seedMunicipality(api)
            let consultation = try await seedConsultation(api, municipality: "testby")
            let partner = try await api.service.token(.partner), other = try await api.service.token(.partner)
            let letter = try await api.uploaded(largePDF, token: partner, key: "u1", filename: "Svar fra Ældrerådet.pdf")
            let othersFile = try await api.uploaded(SampleFiles.png, token: other, key: "u2")
            // Only files the partner uploaded itself.
            let foreign = try await submit(api, consultation, token: partner, key: "s0",
                                           extra: #","attachments":[{"file_id":"\#(othersFile)","title":"Bilag"}]"#)
            expectProblem(foreign, .unprocessableContent)
            #expect(foreign.fieldErrors == ["attachments[0].file_id"])
            let submitted = try await submit(api, consultation, token: partner, key: "s1",
                                             extra: #","attachments":[{"file_id":"\#(letter)","title":"Høringssvar"}]"#)
            try #require(submitted.status == .created, "\(submitted.text)")
            let response = try #require(submitted.string("id"))
            try expectOK(try await api.patch("/v1/responses/\(response)", #"{"status":"published"}"#))
            // The response is public, its attachment is not yet.
            let publicView = try await api.get("/v1/responses/\(response)")
            #expect(publicView.json["attachments"] == nil)
            expectProblem(try await api.get("/v1/files/\(letter)/content"), .notFound)
            let path = "/v1/responses/\(response)/attachments/\(letter)"
            let unchecked = try await api.patch(path, #"{"status":"published"}"#)
            expectProblem(unchecked, .unprocessableContent)
            #expect(unchecked.fieldErrors == ["personal_data_checked"])
            expectProblem(try await api.patch(path, #"{"status":"published","personal_data_checked":true}"#, token: partner), .forbidden)
            // The PATCH honours If-Match against the attachment's own representation (GET on the same path).
            expectProblem(try await api.patch(path, #"{"status":"published","personal_data_checked":true}"#, headers: ["If-Match": "\"stale\""]),
                          .preconditionFailed)
            let current = try await api.get(path, token: api.service.admin)
            #expect(current.string("status") == "withheld")
            let published = try await api.patch(path, #"{"status":"published","personal_data_checked":true}"#,
                                                headers: ["If-Match": try #require(current["ETag"])])
            try expectOK(published)
            #expect(published.string("status") == "published")
            let (status, _, body) = try await api.bytes("/v1/files/\(letter)/content")
            #expect(status == .ok && body == largePDF)
            let listed = try #require((try await api.get("/v1/responses/\(response)").json["attachments"] as? [[String: any Sendable]])?.first)
            #expect((listed["file"] as? [String: any Sendable])?["sha256"] as? String == sha256(largePDF))
            // A redacted copy replaces it for the public; the original stays private.
            let redacted = try await api.uploaded(SampleFiles.pdf, filename: "redigeret.pdf")
            try expectOK(try await api.patch(path, #"{"replacement_file_id":"\#(redacted)"}"#))
            expectProblem(try await api.get("/v1/files/\(letter)/content"), .notFound)
            #expect(try await api.bytes("/v1/files/\(redacted)/content").2 == SampleFiles.pdf)
            // Withholding takes it out of public view again, and the public feed says so.
            try expectOK(try await api.patch(path, #"{"status":"withheld","reason":"Personoplysninger"}"#))
            expectProblem(try await api.get("/v1/files/\(redacted)/content"), .notFound)
            let feed = try await api.get("/v1/changes?limit=200")
            #expect(feed.data.last { $0["id"] as? String == redacted }?["action"] as? String == "deleted")
        }
    }

    @Test func theReceiptCoversTheAttachedBytes() async throws {
        try await withAPI { api in
            _ = try await seedMunicipality(api)
            let consultation = try await seedConsultation(api, municipality: "testby")
            let partner = try await api.service.token(.partner)
            let a = try await api.uploaded(SampleFiles.pdf, token: partner, key: "a")
            let b = try await api.uploaded(SampleFiles.png, token: partner, key: "b")
            let plain = try await submit(api, consultation, token: partner, key: "plain")
            let withA = try await submit(api, consultation, token: partner, key: "k", extra: #","attachments":[{"file_id":"\#(a)","title":"Bilag"}]"#)
            #expect(withA.status == .created)
            let receipt = { (reply: Reply) in (reply.json["receipt"] as? [String: any Sendable])?["sha256"] as? String }
            #expect(receipt(withA) != receipt(plain))
            // A retry with the same key and another file is other content.
            let swapped = try await submit(api, consultation, token: partner, key: "k", extra: #","attachments":[{"file_id":"\#(b)","title":"Bilag"}]"#)
            expectProblem(swapped, .unprocessableContent, "idempotency-key-reused")
            let replay = try await submit(api, consultation, token: partner, key: "k", extra: #","attachments":[{"file_id":"\#(a)","title":"Bilag"}]"#)
            #expect(replay.status == .created && replay["Idempotency-Replayed"] == "true" && receipt(replay) == receipt(withA))
            // Attachments keep the order they were submitted in, whatever the order of upload.
            let c = try await api.uploaded(SampleFiles.text, token: partner, key: "c")
            let d = try await api.uploaded(SampleFiles.jpeg, token: partner, key: "d")
            let ordered = try await submit(api, consultation, token: partner, key: "o",
                                           extra: #","attachments":[{"file_id":"\#(d)","title":"D"},{"file_id":"\#(c)","title":"C"}]"#)
            #expect((ordered.json["attachments"] as? [[String: any Sendable]])?.map { $0["file_id"] as? String } == [d, c])
            // A file belongs to one response only.
            let twice = try await submit(api, consultation, token: partner, key: "k3", extra: #","attachments":[{"file_id":"\#(a)","title":"Bilag"}]"#)
            expectProblem(twice, .conflict, "file-attached")
        }
    }

    @Test func withdrawingDetachesTheAttachments() async throws {
        try await withAPI { api in
            _ = try await seedMunicipality(api)
            let consultation = try await seedConsultation(api, municipality: "testby")
            let partner = try await api.service.token(.partner)
            let file = try await api.uploaded(SampleFiles.pdf, token: partner, key: "w")
            let submitted = try await submit(api, consultation, token: partner, key: "s", extra: #","attachments":[{"file_id":"\#(file)","title":"Bilag"}]"#)
            let receipt = try #require(submitted.string("receipt_number"))
            expectProblem(try await api.delete("/v1/files/\(file)", token: partner), .conflict, "file-attached")
            try expectOK(try await api.call(.post, "/v1/receipts/\(receipt)/withdraw", token: partner))
            let response = try #require(submitted.string("id"))
            #expect(try await api.get("/v1/responses/\(response)", token: api.service.admin).json["attachments"] == nil)
            #expect(try await api.get("/v1/files/\(file)", token: partner).string("status") == "unattached")
            expectProblem(try await api.patch("/v1/responses/\(response)/attachments/\(file)", #"{"status":"published","personal_data_checked":true}"#),
                          .notFound)
            // Now its uploader may delete it (else the purge removes it after a day).
            #expect(try await api.delete("/v1/files/\(file)", token: partner).status == .noContent)
        }
    }

    @Test func plainTextAttachmentsAreScreenedLikeResponseText() async throws {
        try await withAPI { api in
            _ = try await seedMunicipality(api)
            let consultation = try await seedConsultation(api, municipality: "testby")
            let partner = try await api.service.token(.partner)
            let file = try await api.uploaded(Data("Mit CPR-nummer er 120385-1233.\n".utf8), token: partner, key: "t", filename: "svar.txt")
            let submitted = try await submit(api, consultation, token: partner, key: "s", extra: #","attachments":[{"file_id":"\#(file)","title":"Svar"}]"#)
            let response = try #require(submitted.string("id"))
            let refused = try await api.patch("/v1/responses/\(response)/attachments/\(file)", #"{"status":"published","personal_data_checked":true}"#)
            expectProblem(refused, .unprocessableContent)
            #expect(refused.fieldErrors == ["file"])
        }
    }

    @Test func exportsListAttachmentsAndTheArchiveHasAFileManifest() async throws {
        try await withAPI { api in
            _ = try await seedMunicipality(api)
            let consultation = try await seedConsultation(api, municipality: "testby")
            let partner = try await api.service.token(.partner)
            let file = try await api.uploaded(SampleFiles.pdf, token: partner, key: "e", filename: "Svar.pdf")
            _ = try await submit(api, consultation, token: partner, key: "s", extra: #","attachments":[{"file_id":"\#(file)","title":"Svar"}]"#)
            let (_, csv) = try await ExportTests().download(api, "/v1/consultations/\(consultation)/responses/export?format=csv")
            let rows = parseCSV(String(csv.dropFirst()))
            let column = try #require(rows.first?.firstIndex(of: "attachments"))
            #expect(rows[1][column] == "\(file), Svar.pdf, application/pdf, \(SampleFiles.pdf.count), \(sha256(SampleFiles.pdf)), withheld")
            let (_, archive) = try await ExportTests().download(api, "/v1/municipalities/testby/export")
            let manifest = archive.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
                .filter { $0["type"] as? String == "file" }
            #expect(manifest.count == 1)
            #expect(manifest.first?["sha256"] as? String == sha256(SampleFiles.pdf))
            #expect((manifest.first?["attached_to"] as? [String: Any])?["type"] as? String == "response")
        }
    }
}

@Suite struct FilenameTests {
    @Test func contentDispositionValues() throws {
        #expect(try Filename.fromContentDisposition("attachment; filename*=UTF-8''%C3%A6bler.pdf") == "æbler.pdf")
        #expect(try Filename.fromContentDisposition(#"attachment; filename="a.pdf"; filename*=UTF-8''b.pdf"#) == "b.pdf")
        #expect(try Filename.fromContentDisposition("attachment; filename=plain.pdf") == "plain.pdf")
        #expect(try Filename.fromContentDisposition("attachment; FILENAME*=iso-8859-1'da'%E6ble.txt") == "æble.txt")
        #expect(try Filename.fromContentDisposition("attachment") == nil)
        for bad in ["", "attachment; filename", #"attachment; filename="open"#, "attachment; filename*=UTF-16''x", "attachment; filename=a; filename=b"] {
            #expect(throws: Problem.self) { try Filename.fromContentDisposition(bad) }
        }
    }

    @Test func sanitising() throws {
        #expect(try Filename.sanitise("  a\u{0007}b\u{202E}c.pdf ") == "abc.pdf")
        #expect(try Filename.sanitise(String(repeating: "x", count: 300) + ".docx").count == Filename.maxLength)
        #expect(try Filename.sanitise(String(repeating: "x", count: 300) + ".docx").hasSuffix(".docx"))
        for bad in ["a/b", "a\\b", "..", "\u{202E}", " ", "a\u{FF0F}b", "a\u{2215}b"] { #expect(throws: Problem.self) { try Filename.sanitise(bad) } }
        #expect(try Filename.sanitise("a\u{2060}b\u{200D}c.pdf") == "abc.pdf")
        #expect(Filename.asciiFallback("Æblegrød på \"Å\".pdf") == "Aeblegroed paa _Aa_.pdf")
    }
}
