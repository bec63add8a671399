import Foundation
import GRDB
import MedvirkCore
import Synchronization

/// The contents whose uploads are under way in this process: the purge leaves their unfinished rows alone.
final class UploadsInProgress: Sendable {
    private let ids = Mutex<Set<Int64>>([])
    func begin(_ id: Int64) { _ = ids.withLock { $0.insert(id) } }
    func end(_ id: Int64) { _ = ids.withLock { $0.remove(id) } }
    var current: [Int64] { ids.withLock { Array($0) } }
}

/// A finished upload, to be recorded as a file.
public struct NewFile: Sendable {
    public var municipalityId: String
    public var filename: String
    public var mediaType: String
    public var uploadedBy: String
    public var idempotencyKey: String?

    public init(municipalityId: String, filename: String, mediaType: String, uploadedBy: String, idempotencyKey: String?) {
        self.municipalityId = municipalityId
        self.filename = filename
        self.mediaType = mediaType
        self.uploadedBy = uploadedBy
        self.idempotencyKey = idempotencyKey
    }
}

extension Store {
    /// Bytes per stored chunk: each is written in a transaction of its own (DESIGN.md §7).
    public static let fileChunkBytes = 256 * 1024
    /// Unattached files are purged this long after they were uploaded or last detached.
    public static let unattachedLifetime: TimeInterval = 24 * 60 * 60

    static let fileColumns = """
        f.id, f.municipality_id, f.content_id, f.filename, f.media_type, f.size, f.sha256, f.uploaded_by, f.owner_type, f.owner_id,
        f.title, f.moderation, f.moderation_reason, f.personal_data_checked, f.replacement_file_id, f.replaces_file_id, f.created_at
        """

    static func storedFile(_ row: Row) -> StoredFile {
        StoredFile(id: row[0], municipalityId: row[1], contentId: row[2], filename: row[3], mediaType: row[4], size: row[5], sha256: row[6],
                   uploadedBy: row[7], ownerType: (row[8] as String?).flatMap(FileOwnerType.init), ownerId: row[9], title: row[10],
                   moderation: (row[11] as String?).flatMap(AttachmentStatus.init), moderationReason: row[12], personalDataChecked: row[13],
                   replacementFileId: row[14], replacesFileId: row[15], createdAt: Timestamps.parse(row[16]))
    }

    static func fetchFile(_ db: Database, _ id: String) throws -> StoredFile? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT \(fileColumns) FROM files f WHERE f.id = ?"), arguments: [id]).map(storedFile)
    }

    // MARK: Uploading

    /// Starts the content of an upload: an unfinished row its chunks hang off. Call `finishFileUpload` or
    /// `discardFileContent` with the id.
    public func beginFileContent() async throws -> Int64 {
        let now = Timestamps.format(clock.now())
        let id = try await pool.write { db in
            try db.cachedStatement(sql: "INSERT INTO file_contents (created_at) VALUES (?)").execute(arguments: [now])
            return db.lastInsertedRowID
        }
        uploads.begin(id)
        return id
    }

    /// Writes chunk `seq` (from 0) of an unfinished content in a transaction of its own, so the single
    /// writer is held for one chunk, never for the file.
    ///
    /// The chunk's commit does not wait for the disk (`synchronous = NORMAL` for this one transaction): an
    /// unfinished upload lost in a crash is only purged, never read. The commit that records the file
    /// (`finishFileUpload`, with `synchronous = FULL`) syncs the write-ahead log, and with it every chunk
    /// appended before it, before the upload is acknowledged (SQLite, "Write-Ahead Logging" and
    /// `PRAGMA synchronous`: in WAL mode a FULL commit syncs the WAL file, which holds all earlier frames; a
    /// checkpoint syncs the WAL before it copies frames into the database).
    public func appendFileChunk(_ content: Int64, seq: Int, _ bytes: Data) async throws {
        try await pool.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            defer { try? db.execute(sql: "PRAGMA synchronous = FULL") }
            try db.inTransaction {
                try db.cachedStatement(sql: "INSERT INTO file_chunks (content_id, seq, data) VALUES (?, ?, ?)")
                    .execute(arguments: [content, seq, bytes])
                return .commit
            }
        }
    }

    /// Records a finished upload: the content gets its sha256 (or, when a finished content with the same
    /// bytes exists, the file points at that one and the new chunks are dropped), and the file is created
    /// unattached, audited and in the admins' change feed.
    public func finishFileUpload(content: Int64, size: Int64, sha256: String, _ file: NewFile, actor: WriteActor) async throws -> StoredFile {
        let now = clock.now()
        let stamp = Timestamps.format(now)
        let id = Identifiers.make("fil")
        let (stored, duplicate) = try await pool.write { db in
            let existing = try Int64.fetchOne(db.cachedStatement(sql: "SELECT id FROM file_contents WHERE sha256 = ?"), arguments: [sha256])
            if existing == nil {
                try db.cachedStatement(sql: "UPDATE file_contents SET sha256 = ?, size = ? WHERE id = ?").execute(arguments: [sha256, size, content])
            }
            try db.cachedStatement(sql: """
                INSERT INTO files (id, municipality_id, content_id, filename, media_type, size, sha256, uploaded_by, idempotency_key,
                                   created_at, unattached_since)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [id, file.municipalityId, existing ?? content, file.filename, file.mediaType, size, sha256,
                                         file.uploadedBy, file.idempotencyKey, stamp, stamp])
            try Self.recordWrite(db, actor: actor, municipality: file.municipalityId, [.createdPrivate(.file, id)], now: now)
            return (try Self.fetchFile(db, id)!, existing != nil)
        }
        uploads.end(content)
        if duplicate { try? await discardFileContent(content) }
        return stored
    }

    /// Deletes an unfinished content and its chunks, a few chunks per transaction.
    public func discardFileContent(_ content: Int64) async throws {
        defer { uploads.end(content) }
        try await deleteContent(content, onlyIfUnfinished: true)
    }

    /// Deletes a content's chunks in small transactions, then its row, unless a file uses it (or, with
    /// `onlyIfUnfinished`, it has been finished). The first transaction takes the content's sha256 away, so
    /// no upload finishing meanwhile can reuse a content whose chunks are going (it stores its own instead).
    func deleteContent(_ content: Int64, onlyIfUnfinished: Bool) async throws {
        while try await deleteContentBatch(content, onlyIfUnfinished: onlyIfUnfinished) > 0 {}
    }

    /// One transaction of `deleteContent`: up to 16 chunks, or the row once no chunk is left. Returns the
    /// chunks deleted; 0 when the content is gone, -1 when it is in use and stays.
    func deleteContentBatch(_ content: Int64, onlyIfUnfinished: Bool) async throws -> Int {
        try await pool.write { db -> Int in
            let used = try Bool.fetchOne(db.cachedStatement(sql: """
                SELECT EXISTS (SELECT 1 FROM files WHERE content_id = ?1)
                    OR (?2 AND EXISTS (SELECT 1 FROM file_contents WHERE id = ?1 AND sha256 IS NOT NULL))
                """), arguments: [content, onlyIfUnfinished]) ?? false
            guard !used else { return -1 }
            try db.cachedStatement(sql: "UPDATE file_contents SET sha256 = NULL WHERE id = ? AND sha256 IS NOT NULL").execute(arguments: [content])
            try db.cachedStatement(sql: """
                DELETE FROM file_chunks WHERE rowid IN (SELECT rowid FROM file_chunks WHERE content_id = ? LIMIT 16)
                """).execute(arguments: [content])
            let count = db.changesCount
            if count == 0 { try db.cachedStatement(sql: "DELETE FROM file_contents WHERE id = ?").execute(arguments: [content]) }
            return count
        }
    }

    // MARK: Reading

    public func file(_ id: String) async throws -> StoredFile? {
        try await pool.read { db in try Self.fetchFile(db, id) }
    }

    /// The file, if `reader` may read it (`Readable`: as the object it belongs to; a response attachment only
    /// once published) or `token` uploaded it; nil otherwise, whatever the reason.
    public func file(_ id: String, readableBy reader: Reader, token: String?) async throws -> StoredFile? {
        let now = Timestamps.format(clock.now())
        return try await pool.read { db in
            try Row.fetchOne(db.cachedStatement(sql: """
                SELECT \(Self.fileColumns) FROM files f WHERE f.id = ?1 AND (f.uploaded_by = ?4 OR \(Readable.condition(.file, "f", reader: "?2", now: "?3")))
                """), arguments: [id, reader.argument, now, token]).map(Self.storedFile)
        }
    }

    /// The file a token uploaded with an idempotency key.
    public func file(uploadedBy token: String, idempotencyKey: String) async throws -> StoredFile? {
        try await pool.read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT \(Self.fileColumns) FROM files f WHERE f.uploaded_by = ? AND f.idempotency_key = ?"),
                             arguments: [token, idempotencyKey]).map(Self.storedFile)
        }
    }

    /// Files by id, for showing them inline where they are attached.
    public func files(_ ids: [String]) async throws -> [String: StoredFile] {
        guard !ids.isEmpty else { return [:] }
        return try await pool.read { db in try Self.fetchFiles(db, ids) }
    }

    static func fetchFiles(_ db: Database, _ ids: [String]) throws -> [String: StoredFile] {
        guard !ids.isEmpty else { return [:] }
        let rows = try Row.fetchAll(db.cachedStatement(sql: "SELECT \(fileColumns) FROM files f WHERE f.id IN (SELECT value FROM json_each(?))"),
                                    arguments: [JSONColumn.encode(ids)])
        return Dictionary(uniqueKeysWithValues: rows.map(storedFile).map { ($0.id, $0) })
    }

    /// A page of a municipality's files, oldest first (the export's manifest).
    public func files(municipality: String, _ page: PageRequest) async throws -> Page<StoredFile> {
        try await pool.read { db in
            let rows = try Row.fetchAll(db.cachedStatement(sql: """
                SELECT \(Self.fileColumns), f.seq FROM files f WHERE f.municipality_id = ?3 AND f.seq > ?1 ORDER BY f.seq LIMIT ?2
                """), arguments: [page.after?.after ?? 0, page.limit + 1, municipality])
            return try self.page(rows, limit: page.limit, map: Self.storedFile)
        }
    }

    /// Chunk `seq` of a content; nil past its end.
    public func fileChunk(content: Int64, seq: Int) async throws -> Data? {
        try await pool.read { db in
            try Data.fetchOne(db.cachedStatement(sql: "SELECT data FROM file_chunks WHERE content_id = ? AND seq = ?"), arguments: [content, seq])
        }
    }

    /// `range` of a content's bytes (finished or not), read chunk by chunk; the caller bounds its length.
    public func fileBytes(content: Int64, _ range: Range<Int64>) async throws -> Data {
        var out = Data()
        let chunkBytes = Int64(Self.fileChunkBytes)
        var position = range.lowerBound
        while position < range.upperBound {
            let seq = position / chunkBytes
            guard let chunk = try await fileChunk(content: content, seq: Int(seq)), !chunk.isEmpty else { break }
            let start = Int(position - seq * chunkBytes), stop = Int(Swift.min(range.upperBound - seq * chunkBytes, Int64(chunk.count)))
            guard start < stop else { break }
            out.append(chunk[chunk.startIndex + start..<chunk.startIndex + stop])
            position = seq * chunkBytes + Int64(stop)
        }
        return out
    }

    /// Bytes held by finished contents (each distinct content once).
    public func storedFileBytes() async throws -> Int64 {
        try await pool.read { db in try Int64.fetchOne(db, sql: "SELECT coalesce(sum(size), 0) FROM file_contents WHERE sha256 IS NOT NULL") ?? 0 }
    }

    // MARK: Deleting and purging

    /// Deletes an unattached file; 409 when it is attached. The caller has checked who may.
    public func deleteFile(_ id: String, actor: WriteActor) async throws {
        let now = clock.now()
        let content = try await pool.write { db -> Int64 in
            guard let file = try Self.fetchFile(db, id) else { throw Problem.notFound("file", id) }
            guard !file.isAttached else {
                throw Problem.conflict("file-attached", "The file is attached to \(file.ownerType?.rawValue ?? "an object") \(file.ownerId ?? ""); remove it from that object's documents first.")
            }
            try db.cachedStatement(sql: "DELETE FROM files WHERE id = ?").execute(arguments: [id])
            try Self.recordWrite(db, actor: actor, municipality: file.municipalityId, [.deleted(.file, id)], now: now)
            return file.contentId
        }
        try await deleteContent(content, onlyIfUnfinished: false)
    }

    /// Deletes files unattached for `unattachedLifetime`, then every content no file uses that is finished or
    /// whose upload is not under way in this process (one left by a crash). Safe to run twice.
    func purgeFiles(now: Date) async throws {
        let cutoff = Timestamps.format(now - Self.unattachedLifetime)
        // Read first: most passes have nothing to purge, and need not take the writer.
        let anyDue = try await pool.read { db in
            try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM files WHERE unattached_since IS NOT NULL AND unattached_since <= ? LIMIT 1"),
                              arguments: [cutoff]) ?? false
        }
        if anyDue {
            try await pool.write { db in
                let rows = try Row.fetchAll(db.cachedStatement(sql: """
                    SELECT id, municipality_id FROM files WHERE unattached_since IS NOT NULL AND unattached_since <= ? ORDER BY seq
                    """), arguments: [cutoff])
                for row in rows {
                    try db.cachedStatement(sql: "DELETE FROM files WHERE id = ?").execute(arguments: [row[0] as String])
                    try Self.recordWrite(db, actor: nil, municipality: row[1], [.deleted(.file, row[0])], now: now)
                }
            }
        }
        // An unfinished content is an upload's only between its row's insert and `uploads.begin`; one older than
        // a minute that no upload here holds was left by a crash.
        let inProgress = JSONColumn.encode(uploads.current), started = Timestamps.format(now - 60)
        let orphans = try await pool.read { db in
            try Int64.fetchAll(db.cachedStatement(sql: """
                SELECT c.id FROM file_contents c WHERE NOT EXISTS (SELECT 1 FROM files f WHERE f.content_id = c.id)
                  AND (c.sha256 IS NOT NULL OR (c.created_at <= ?2 AND c.id NOT IN (SELECT value FROM json_each(?1))))
                """), arguments: [inProgress, started])
        }
        for content in orphans where !uploads.current.contains(content) {
            try await deleteContent(content, onlyIfUnfinished: false)
        }
    }

    /// When the next unattached file falls due for the purge.
    func nextFilePurge(after now: Date) async throws -> Date? {
        try await pool.read { db in
            try String.fetchOne(db, sql: "SELECT min(unattached_since) FROM files WHERE unattached_since IS NOT NULL")
        }.map { Timestamps.parse($0) + Self.unattachedLifetime }.map { max($0, now + 1) }
    }

    // MARK: Attaching

    /// Makes the hosted files of `documents` belong to the owner, and frees the ones its old documents had
    /// that the new ones lack, inside the caller's transaction. A file of another municipality or one that
    /// does not exist is a 422, one that belongs to another object a 409, each naming `documents[i].file_id`.
    /// Returns the documents with each file's facts filled in, to be stored, and the feed changes of the files.
    static func attachDocuments(_ db: Database, owner: FileOwnerType, _ ownerId: String, municipality: String,
                                old: [ConsultationDocument], new: [ConsultationDocument],
                                now: Date) throws -> (documents: [ConsultationDocument], changes: [Change]) {
        let stamp = Timestamps.format(now)
        let newIds = ConsultationDocument.fileIds(new)
        let files = try fetchFiles(db, newIds)
        var errors: [FieldError] = []
        for (i, document) in new.enumerated() {
            guard let id = document.fileId else { continue }
            guard let file = files[id], file.municipalityId == municipality else {
                errors.append(FieldError("documents[\(i)].file_id", "must name an uploaded file of municipality \(municipality)"))
                continue
            }
            if let ownerOf = file.ownerId, ownerOf != ownerId || file.ownerType != owner {
                throw Problem(status: 409, slug: "file-attached", title: "File already attached",
                              detail: "File \(id) already belongs to \(file.ownerType?.rawValue ?? "another object") \(ownerOf); a file belongs to one object only.",
                              errors: [FieldError("documents[\(i)].file_id", "belongs to \(file.ownerType?.rawValue ?? "another object") \(ownerOf)")])
            }
        }
        try Problem.check(errors)
        var changes: [Change] = []
        for id in newIds where files[id]?.ownerId == nil {
            try db.cachedStatement(sql: "UPDATE files SET owner_type = ?, owner_id = ?, unattached_since = NULL WHERE id = ?")
                .execute(arguments: [owner.rawValue, ownerId, id])
            changes.append(.updated(.file, id))
        }
        for id in ConsultationDocument.fileIds(old) where !newIds.contains(id) {
            try db.cachedStatement(sql: """
                UPDATE files SET owner_type = NULL, owner_id = NULL, unattached_since = ? WHERE id = ? AND owner_id = ?
                """).execute(arguments: [stamp, id, ownerId])
            if db.changesCount > 0 { changes.append(.updated(.file, id)) }
        }
        let documents = new.map { document in
            var stored = document
            stored.file = document.fileId.flatMap { files[$0] }.map(FileSummary.init)
            if stored.fileId != nil, stored.kind == nil { stored.kind = .other }
            return stored
        }
        return (documents, changes)
    }
}
