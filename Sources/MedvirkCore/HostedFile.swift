import Foundation

/// What a hosted document is. The hearing memo is generated, not uploaded.
public enum DocumentKind: String, Sendable, Codable, CaseIterable {
    case hearingLetter = "hearing_letter", partyList = "party_list", proposal, minutes, annex, other
}

/// The kinds of object a file can belong to.
public enum FileOwnerType: String, Sendable, Codable, CaseIterable {
    case consultation, meeting, response
    case agendaItem = "agenda_item"
}

/// A response attachment's moderation: withheld until an admin publishes it. (Withdrawing the response
/// detaches its attachments.)
public enum AttachmentStatus: String, Sendable, Codable, CaseIterable { case withheld, published }

/// A file hosted by the service (DESIGN.md §7): metadata; the bytes are read in chunks by `contentId`.
public struct StoredFile: Sendable, Equatable {
    public var id: String
    public var municipalityId: String
    /// The content's row: files with equal bytes share it.
    public var contentId: Int64
    public var filename: String
    /// Decided from the bytes (`AcceptedFileType.rawValue`), never from the client.
    public var mediaType: String
    /// Bytes.
    public var size: Int64
    /// SHA-256 of the bytes, lowercase hex.
    public var sha256: String
    /// The token that uploaded it.
    public var uploadedBy: String
    public var ownerType: FileOwnerType?
    public var ownerId: String?
    /// For a response attachment.
    public var title: String?
    public var moderation: AttachmentStatus?
    public var moderationReason: String?
    public var personalDataChecked: Bool
    public var replacementFileId: String?
    public var replacesFileId: String?
    public var createdAt: Date

    public init(id: String, municipalityId: String, contentId: Int64, filename: String, mediaType: String, size: Int64, sha256: String,
                uploadedBy: String, ownerType: FileOwnerType? = nil, ownerId: String? = nil, title: String? = nil,
                moderation: AttachmentStatus? = nil, moderationReason: String? = nil, personalDataChecked: Bool = false,
                replacementFileId: String? = nil, replacesFileId: String? = nil, createdAt: Date) {
        self.id = id
        self.municipalityId = municipalityId
        self.contentId = contentId
        self.filename = filename
        self.mediaType = mediaType
        self.size = size
        self.sha256 = sha256
        self.uploadedBy = uploadedBy
        self.ownerType = ownerType
        self.ownerId = ownerId
        self.title = title
        self.moderation = moderation
        self.moderationReason = moderationReason
        self.personalDataChecked = personalDataChecked
        self.replacementFileId = replacementFileId
        self.replacesFileId = replacesFileId
        self.createdAt = createdAt
    }

    public var isAttached: Bool { ownerId != nil }

    /// Where the bytes are read.
    public var contentHref: String { "/v1/files/\(id)/content" }
}

/// A file a partner attaches to a hearing response.
public struct AttachmentInput: Sendable, Equatable, Codable {
    public var fileId: String
    public var title: String
    /// The file's SHA-256, looked up before the submission is hashed, so the receipt covers the bytes.
    public var sha256: String?

    public init(fileId: String, title: String, sha256: String? = nil) {
        self.fileId = fileId
        self.title = title
        self.sha256 = sha256
    }

    enum CodingKeys: String, CodingKey {
        case title, sha256
        case fileId = "file_id"
    }
}

/// An admin's decision on one attachment of a response.
public struct AttachmentModeration: Sendable, Equatable {
    public var status: AttachmentStatus
    public var reason: String?
    public var personalDataChecked: Bool
    public var replacementFileId: String?

    public init(status: AttachmentStatus, reason: String?, personalDataChecked: Bool, replacementFileId: String?) {
        self.status = status
        self.reason = reason
        self.personalDataChecked = personalDataChecked
        self.replacementFileId = replacementFileId
    }

    /// Publishing needs `personal_data_checked`: binary files cannot be screened for national identity
    /// numbers the way text is, and their metadata (author fields, EXIF) is personal data too.
    public func validate() throws {
        var errors = Rules.optionalText("reason", reason, max: 2000)
        if status == .published && !personalDataChecked {
            errors.append(FieldError("personal_data_checked", "must be true to publish: check the file and its metadata (author fields, image EXIF) for personal data first"))
        }
        try Problem.check(errors)
    }
}

/// The facts of a file shown inline where it is attached.
public struct FileSummary: Sendable, Equatable, Codable {
    public var id: String
    public var filename: String
    public var mediaType: String
    public var size: Int64
    public var sha256: String

    public init(id: String, filename: String, mediaType: String, size: Int64, sha256: String) {
        self.id = id
        self.filename = filename
        self.mediaType = mediaType
        self.size = size
        self.sha256 = sha256
    }

    public init(_ file: StoredFile) {
        self.init(id: file.id, filename: file.filename, mediaType: file.mediaType, size: file.size, sha256: file.sha256)
    }

    enum CodingKeys: String, CodingKey {
        case id, filename, size, sha256
        case mediaType = "media_type"
    }

    public var contentHref: String { "/v1/files/\(id)/content" }
}

/// A file attached to a hearing response, with its moderation.
public struct ResponseAttachment: Sendable, Equatable, Codable {
    public var file: FileSummary
    public var title: String
    public var status: AttachmentStatus
    public var reason: String?
    public var personalDataChecked: Bool
    public var replacementFileId: String?
    /// The redacted copy published in the original's place.
    public var replacement: FileSummary?

    public init(file: FileSummary, title: String, status: AttachmentStatus, reason: String? = nil, personalDataChecked: Bool = false,
                replacementFileId: String? = nil, replacement: FileSummary? = nil) {
        self.file = file
        self.title = title
        self.status = status
        self.reason = reason
        self.personalDataChecked = personalDataChecked
        self.replacementFileId = replacementFileId
        self.replacement = replacement
    }

    enum CodingKeys: String, CodingKey {
        case file, title, status, reason, replacement
        case personalDataChecked = "personal_data_checked"
        case replacementFileId = "replacement_file_id"
    }

    /// What the public may download for a published attachment: the redacted copy when there is one.
    public var publicFile: FileSummary { replacement ?? file }
}
