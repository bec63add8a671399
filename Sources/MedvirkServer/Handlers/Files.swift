import Foundation
import MedvirkAPI
import MedvirkCore
import MedvirkStore
import OpenAPIRuntime

extension APIHandlers {
    /// The inline form of a file wherever it is attached.
    static func apiRef(_ file: FileSummary) -> Components.Schemas.FileRef {
        .init(id: file.id, filename: file.filename, mediaType: file.mediaType, size: file.size, sha256: file.sha256, href: file.contentHref)
    }

    /// `attached_to` is shown to the municipality's admins, and to the uploader of a response attachment (the
    /// uploader's own response); never to anyone who might not read the object.
    func api(_ file: StoredFile) throws -> Components.Schemas.File {
        try Self.api(file, insider: reader.administers(file.municipalityId) || (isUploader(of: file) && file.ownerType == .response))
    }

    static func api(_ file: StoredFile, insider: Bool) throws -> Components.Schemas.File {
        let attachedTo: Components.Schemas.File.AttachedToPayload? = if insider, let type = file.ownerType, let id = file.ownerId {
            .init(_type: try convert(type), id: id)
        } else { nil }
        return .init(id: file.id, municipalityId: file.municipalityId, filename: file.filename, mediaType: file.mediaType, size: file.size,
                     sha256: file.sha256, status: file.isAttached ? .attached : .unattached, attachedTo: attachedTo,
                     href: file.contentHref, createdAt: file.createdAt)
    }

    func isUploader(of file: StoredFile) -> Bool {
        if case .token(let token) = principal { return token.id == file.uploadedBy }
        return false
    }

    var tokenId: String? {
        if case .token(let token) = principal { return token.id }
        return nil
    }

    /// The file if the caller may read it (as its owner object is readable, or as its uploader), else 404.
    func readableFile(_ id: String) async throws -> StoredFile {
        guard let file = try await store.file(id, readableBy: reader, token: tokenId) else { throw Problem.notFound("file", id) }
        return file
    }

    // MARK: Upload

    /// Every upload's outcome is counted for `/metrics`: stored, replayed, or the slug of the problem that refused it.
    func uploadFile(_ input: Operations.UploadFile.Input) async throws -> Operations.UploadFile.Output {
        do {
            let output = try await upload(input)
            if case .created(let created) = output { metrics.upload(outcome: created.headers.idempotencyReplayed == nil ? "stored" : "replayed") }
            return output
        } catch let problem as Problem {
            metrics.upload(outcome: problem.slug)
            throw problem
        }
    }

    func upload(_ input: Operations.UploadFile.Input) async throws -> Operations.UploadFile.Output {
        guard case .token(let token) = principal else { throw Problem.unauthenticated }
        let municipality = try uploadMunicipality(input.query.municipality, token: token)
        if token.scope == .admin { try principal.requireAdmin(municipality) }
        guard try await store.municipality(municipality) != nil else { throw Problem.notFound("municipality", municipality) }
        let key = input.headers.idempotencyKey
        if let key {
            guard (1...255).contains(key.utf8.count), key.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else {
                throw Problem.badRequest("Idempotency-Key must be 1 to 255 visible ASCII characters.", slug: "invalid-idempotency-key",
                                         errors: [FieldError("Idempotency-Key", "must be 1 to 255 visible ASCII characters")])
            }
        } else if token.scope == .partner {
            throw Problem(status: 422, slug: "idempotency-key-required", title: "Idempotency-Key required",
                          detail: "Partners must send an Idempotency-Key with an upload, so a retry answers the same file.",
                          errors: [FieldError("Idempotency-Key", "is required for partner tokens")])
        }
        if let length = context?.declaredLength, length > uploads.maxBytes { throw uploads.tooLarge }
        let named = try input.headers.contentDisposition.flatMap(Filename.fromContentDisposition).map(Filename.sanitise)
        guard case .any(let body) = input.body else { throw Problem.badRequest("Send the file as the request body.") }
        let actor = try writeActor()

        var flightKey: String?
        if let key {
            flightKey = "file\u{0}" + token.id + "\u{0}" + key
            guard inFlight.begin(flightKey!) else {
                throw Problem.conflict("idempotency-key-in-flight", "An upload with this Idempotency-Key is still being processed; retry shortly.")
            }
        }
        defer { if let flightKey { inFlight.end(flightKey) } }
        if let key, let earlier = try await store.file(uploadedBy: token.id, idempotencyKey: key) {
            try await checkReplay(of: earlier, body, municipality: municipality, named: named)
            return .created(.init(headers: .init(location: "/v1/files/\(earlier.id)", idempotencyReplayed: "true"), body: .json(try api(earlier))))
        }
        let received = try await uploads.receive(body, declared: context?.declaredType)
        let filename = MediaTypeDetector.named(named ?? "file", as: received.type)
        let stored: StoredFile
        do {
            stored = try await store.finishFileUpload(
                content: received.content, size: received.size, sha256: received.sha256,
                NewFile(municipalityId: municipality, filename: filename, mediaType: received.type.rawValue, uploadedBy: token.id,
                        idempotencyKey: key), actor: actor)
        } catch {
            try? await store.discardFileContent(received.content)
            throw error
        }
        return .created(.init(headers: .init(location: "/v1/files/\(stored.id)"), body: .json(try api(stored))))
    }

    /// A retry with an upload's key must send the same bytes (read and hashed, not stored) for the same
    /// municipality, under the same name if it names one; anything else is a 422.
    func checkReplay(of earlier: StoredFile, _ body: HTTPBody, municipality: String, named: String?) async throws {
        let (_, sha256) = try await uploads.hash(body)
        let sameName = named.map { name in AcceptedFileType(rawValue: earlier.mediaType).map { MediaTypeDetector.named(name, as: $0) } ?? name }
        guard sha256 == earlier.sha256, earlier.municipalityId == municipality, sameName == nil || sameName == earlier.filename else {
            throw Problem(status: 422, slug: "idempotency-key-reused", title: "Idempotency key reused",
                          detail: "This Idempotency-Key was used for another file; use a new key for a new upload.",
                          errors: [FieldError("Idempotency-Key", "was used for another file")])
        }
    }

    /// The `municipality` parameter, or the one municipality the token is limited to.
    func uploadMunicipality(_ given: String?, token: TokenInfo) throws -> String {
        try checkParameter("municipality", given, max: 63)
        if let given {
            guard token.municipalities.isEmpty || token.municipalities.contains(given) else {
                throw Problem.forbidden("This token may not upload files for municipality '\(given)'.")
            }
            return given
        }
        guard token.municipalities.count == 1, let only = token.municipalities.first else {
            throw Problem.validation([FieldError("municipality", "is required unless the token is limited to exactly one municipality: ?municipality=ID")])
        }
        return only
    }

    // MARK: Read and delete

    func getFile(_ input: Operations.GetFile.Input) async throws -> Operations.GetFile.Output {
        .ok(.init(body: .json(try api(try await readableFile(input.path.fileId)))))
    }

    func deleteFile(_ input: Operations.DeleteFile.Input) async throws -> Operations.DeleteFile.Output {
        let file = try await readableFile(input.path.fileId)
        guard isUploader(of: file) || principal.canAdminister(file.municipalityId) else {
            if principal.isAnonymous { throw Problem.unauthenticated }
            throw Problem.forbidden("Only the file's uploader or an admin of municipality '\(file.municipalityId)' may delete it.")
        }
        try await store.deleteFile(file.id, actor: try writeActor())
        return .noContent(.init())
    }

    func getFileContent(_ input: Operations.GetFileContent.Input) async throws -> Operations.GetFileContent.Output {
        let file = try await readableFile(input.path.fileId)
        let tag = "\"\(file.sha256)\""
        // A matching If-None-Match is answered 304 (by `RevalidationMiddleware`) before any Range is looked at.
        let unchanged = input.headers.ifNoneMatch.map { EntityTags.noneMatch($0, current: tag) } ?? false
        let range = unchanged ? .whole : ByteRange.requested(input.headers.range, ifRange: input.headers.ifRange, entityTag: tag, size: file.size)
        let disposition = Filename.contentDisposition(file.filename)
        switch range {
        case .unsatisfiable:
            throw Problem(status: 416, slug: "range-not-satisfiable", title: "Range not satisfiable",
                          detail: "The file has \(file.size) bytes; the requested range lies outside it.",
                          headers: ["Content-Range": "bytes */\(file.size)"])
        case .whole, .part:
            let bytes = range.bytes(of: file.size)
            let isPart = range != .whole
            let body = try Self.fileBody(file, HTTPBody(FileBytes(store: store, content: file.contentId, range: bytes),
                                                        length: .known(bytes.upperBound - bytes.lowerBound), iterationBehavior: .single))
            let answer = Components.Responses.FileContent(
                headers: .init(eTag: tag, contentDisposition: disposition,
                               contentRange: isPart ? "bytes \(bytes.lowerBound)-\(bytes.upperBound - 1)/\(file.size)" : nil,
                               acceptRanges: "bytes", xContentTypeOptions: "nosniff", contentSecurityPolicy: "sandbox"),
                body: body)
            return isPart ? .partialContent(answer) : .ok(answer)
        }
    }

    /// The body case that names the file's type as `Content-Type`.
    static func fileBody(_ file: StoredFile, _ body: HTTPBody) throws -> Components.Responses.FileContent.Body {
        switch AcceptedFileType(rawValue: file.mediaType) {
        case .pdf: .pdf(body)
        case .docx: .applicationVnd_openxmlformatsOfficedocument_wordprocessingml_document(body)
        case .xlsx: .applicationVnd_openxmlformatsOfficedocument_spreadsheetml_sheet(body)
        case .odt: .applicationVnd_oasis_opendocument_text(body)
        case .ods: .applicationVnd_oasis_opendocument_spreadsheet(body)
        case .png: .png(body)
        case .jpeg: .jpeg(body)
        case .text: .textPlainCharsetUtf8(body)
        case nil: throw StoredDataError(description: "file \(file.id) has the media type '\(file.mediaType)', which is not served")
        }
    }

    // MARK: Moderation

    /// The response an attachment hangs off, as the caller may see it, and whether the caller sees it whole
    /// (admins of its municipality and the submitting token); 404 otherwise.
    func attachmentOwner(_ responseId: String) async throws -> (response: HearingResponse, full: Bool) {
        if let response = try await store.response(responseId, readableBy: reader) {
            return (response, reader.administers(response.municipalityId) || isSubmitter(of: response))
        }
        guard let own = try await store.response(responseId), isSubmitter(of: own) else { throw Problem.notFound("response", responseId) }
        return (own, true)
    }

    func getAttachment(_ input: Operations.GetAttachment.Input) async throws -> Operations.GetAttachment.Output {
        let (response, full) = try await attachmentOwner(input.path.responseId)
        let shown = full ? try Self.apiAttachments(response) : try Self.publicAttachments(response) ?? []
        // The public knows a replaced attachment by its redacted copy's id, the one it is shown.
        guard let attachment = shown.first(where: { $0.fileId == input.path.fileId }) else { throw Problem.notFound("attachment", input.path.fileId) }
        return .ok(.init(body: .json(attachment)))
    }

    func moderateAttachment(_ input: Operations.ModerateAttachment.Input) async throws -> Operations.ModerateAttachment.Output {
        let (response, _) = try await attachmentOwner(input.path.responseId)
        try principal.requireAdmin(response.municipalityId)
        guard let attachment = response.attachments.first(where: { $0.file.id == input.path.fileId }) else {
            throw Problem.notFound("attachment", input.path.fileId)
        }
        let current = Components.Schemas.AttachmentModeration(
            status: attachment.status == .published ? .published : .withheld, reason: attachment.reason,
            personalDataChecked: attachment.personalDataChecked, replacementFileId: attachment.replacementFileId)
        let merged = try MergePatch.apply(to: current)
        let moderation = AttachmentModeration(status: try merged.status.map(convert) ?? .withheld, reason: merged.reason,
                                              personalDataChecked: merged.personalDataChecked ?? false, replacementFileId: merged.replacementFileId)
        try moderation.validate()
        if moderation.status == .published {
            // Text is screened as response text is; binary files are the admin's check (`personal_data_checked`).
            let published = try await store.file(moderation.replacementFileId ?? attachment.file.id)
            if let published, published.mediaType == AcceptedFileType.text.rawValue, try await store.textFileContainsNationalId(published) {
                throw Problem.validation([FieldError(moderation.replacementFileId == nil ? "file" : "replacement_file_id",
                                                     "contains what looks like a CPR number or fødselsnummer; publish a redacted copy instead")])
            }
        }
        let actor = try writeActor()
        let moderated = try await store.moderateAttachment(response: response.id, file: attachment.file.id, moderation, actor: actor)
        guard let answer = try Self.apiAttachments(moderated).first(where: { $0.fileId == attachment.file.id }) else {
            throw Problem.notFound("attachment", attachment.file.id)
        }
        return .ok(.init(body: .json(answer)))
    }
}
