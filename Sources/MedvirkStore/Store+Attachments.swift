import Foundation
import GRDB
import MedvirkCore

extension Store {
    /// Whether a stored plain-text file holds a national identity number (`NationalIdScreening`), read chunk by
    /// chunk with an overlap, so memory stays bounded by a chunk.
    public func textFileContainsNationalId(_ file: StoredFile) async throws -> Bool {
        var tail: [UInt8] = [], seq = 0
        while let chunk = try await fileChunk(content: file.contentId, seq: seq) {
            let window = tail + Array(chunk)
            if NationalIdScreening.containsNationalId(String(decoding: window, as: UTF8.self)) { return true }
            tail = Array(window.suffix(64))
            seq += 1
        }
        return false
    }

    /// Applies an admin's decision to one attachment of a response: publishing (with `personal_data_checked`,
    /// which `AttachmentModeration.validate` requires) or withholding, optionally publishing an admin's
    /// redacted copy in the original's place. 404 when the response has no such attachment; a replacement that is not an unattached file of the same municipality is a 422, and one
    /// attached elsewhere a 409. The caller has screened plain-text files.
    public func moderateAttachment(response id: String, file fileId: String, _ moderation: AttachmentModeration,
                                   actor: WriteActor) async throws -> HearingResponse {
        try moderation.validate()
        let now = clock.now()
        return try await pool.write { db in
            guard let response = try Self.fetchResponse(db, where: "id", id),
                  let file = try Self.fetchFile(db, fileId), file.ownerType == .response, file.ownerId == id, file.replacesFileId == nil
            else { throw Problem.notFound("attachment", fileId) }
            var changes: [Change] = [.updated(.file, fileId)]
            // A redacted copy that stays in place becomes readable or not with its original.
            if let kept = file.replacementFileId, kept == moderation.replacementFileId { changes.append(.visibility(.file, kept)) }
            let stamp = Timestamps.format(now)
            if let old = file.replacementFileId, old != moderation.replacementFileId {
                // The previous redacted copy is freed (and purged in time).
                try db.cachedStatement(sql: """
                    UPDATE files SET owner_type = NULL, owner_id = NULL, moderation = NULL, replaces_file_id = NULL, unattached_since = ? WHERE id = ?
                    """).execute(arguments: [stamp, old])
                changes.append(.updated(.file, old))
            }
            if let replacementId = moderation.replacementFileId, replacementId != file.replacementFileId {
                guard let replacement = try Self.fetchFile(db, replacementId), replacement.municipalityId == response.municipalityId,
                      replacement.id != fileId,
                      try String.fetchOne(db.cachedStatement(sql: "SELECT scope FROM tokens WHERE id = ?"), arguments: [replacement.uploadedBy]) == "admin"
                else {
                    throw Problem.validation([FieldError("replacement_file_id", "must name a file an administrator uploaded to municipality \(response.municipalityId)")])
                }
                guard !replacement.isAttached else {
                    throw Problem(status: 409, slug: "file-attached", title: "File already attached",
                                  detail: "File \(replacementId) already belongs to \(replacement.ownerType?.rawValue ?? "an object") \(replacement.ownerId ?? "").",
                                  errors: [FieldError("replacement_file_id", "is already attached")])
                }
                try db.cachedStatement(sql: """
                    UPDATE files SET owner_type = 'response', owner_id = ?, title = ?, moderation = 'published', personal_data_checked = 1,
                                     replaces_file_id = ?, unattached_since = NULL WHERE id = ?
                    """).execute(arguments: [id, file.title, fileId, replacementId])
                changes.append(.updated(.file, replacementId))
            }
            try db.cachedStatement(sql: """
                UPDATE files SET moderation = ?, moderation_reason = ?, personal_data_checked = ?, replacement_file_id = ? WHERE id = ?
                """).execute(arguments: [moderation.status.rawValue, moderation.reason, moderation.personalDataChecked,
                                         moderation.replacementFileId, fileId])
            try db.cachedStatement(sql: "UPDATE responses SET updated_at = ? WHERE id = ?").execute(arguments: [stamp, id])
            try Self.recordWrite(db, actor: actor, municipality: response.municipalityId, [.updated(.response, id)] + changes, now: now)
            return try Self.fetchResponse(db, where: "id", id)!
        }
    }
}
