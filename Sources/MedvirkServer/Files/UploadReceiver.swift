import Crypto
import Foundation
import MedvirkCore
import MedvirkStore
import NIOCore
import OpenAPIRuntime

/// Streams an upload's body into the store chunk by chunk (DESIGN.md §7): the size limit is checked as it
/// arrives, the bytes are hashed (SHA-256), the type is decided from the first chunk by libmagic before
/// anything is written, every chunk is checked for macros or encryption (`ContentCheck`) and, with `--clamd`,
/// passed to ClamAV, then written in a transaction of its own. Memory per upload is one chunk. On any
/// failure the chunks already written are deleted.
struct UploadReceiver: Sendable {
    let store: Store
    let detector: MediaTypeDetector
    let scanner: ClamdScanner
    /// `--max-file-bytes`.
    let maxBytes: Int

    struct Received {
        var content: Int64
        var size: Int64
        var sha256: String
        var type: AcceptedFileType
    }

    static let notUTF8 = Problem(status: 415, slug: "unsupported-media-type", title: "Unsupported media type",
                                 detail: "Plain text must be UTF-8; this file is text in another encoding (Windows-1252 or ISO-8859-1, say). Save it as UTF-8 and upload it again.",
                                 errors: [FieldError("body", "is text that is not UTF-8")])

    static let uncheckable = Problem(status: 415, slug: "unsupported-media-type", title: "Unsupported media type",
                                     detail: "The office file's package cannot be read to check it for macros (its ZIP directory or content types are damaged or too large); save it again and upload that.",
                                     errors: [FieldError("body", "is an office file that cannot be checked for macros")])

    static let macros = Problem(status: 415, slug: "unsupported-media-type", title: "Unsupported media type",
                                detail: "The office file contains macros (a vbaProject part or a macro-enabled content type); save it without macros (.docx, .xlsx) and upload that.",
                                errors: [FieldError("body", "is an office file with macros")])

    var tooLarge: Problem {
        Problem(status: 413, slug: "payload-too-large", title: "Payload too large",
                detail: "The file is over the limit of \(maxBytes) bytes (--max-file-bytes).")
    }

    /// Stores the body as an unfinished content; the caller finishes it (`Store.finishFileUpload`) or, if
    /// it fails, discards it. `declared` is the request's `Content-Type`.
    func receive(_ body: HTTPBody, declared: String?) async throws -> Received {
        let chunkBytes = Store.fileChunkBytes
        var hasher = SHA256()
        var buffer: [UInt8] = []
        buffer.reserveCapacity(chunkBytes)
        var size = 0, seq = 0
        var type: AcceptedFileType?
        var check: ContentCheck?
        var text = UTF8Continuity()
        var content: Int64?
        do {
            let (_, verdict) = try await scanner.scan { send in
                /// Checks and stores the buffered chunk (none when the body ended on a chunk boundary).
                func flush(final: Bool) async throws {
                    let chunk = Data(buffer)
                    buffer.removeAll(keepingCapacity: true)
                    if type == nil {
                        let decided = try decideType(chunk, complete: final, declared: declared)
                        (type, check) = (decided, ContentCheck(for: decided))
                    }
                    check?.scan(chunk)
                    if check?.finding == .macros { throw Self.macros }
                    if type == .text, !text.accepts(chunk, final: final) { throw Self.notUTF8 }
                    guard !chunk.isEmpty else { return }
                    if content == nil { content = try await store.beginFileContent() }
                    try await store.appendFileChunk(content!, seq: seq, chunk)
                    seq += 1
                    try await send(ByteBuffer(bytes: chunk))
                }
                for try await part in body {
                    size += part.count
                    guard size <= maxBytes else { throw tooLarge }
                    hasher.update(data: part)
                    var rest = part[...]
                    while !rest.isEmpty {
                        let take = min(chunkBytes - buffer.count, rest.count)
                        buffer.append(contentsOf: rest.prefix(take))
                        rest = rest.dropFirst(take)
                        if buffer.count == chunkBytes { try await flush(final: false) }
                    }
                }
                guard size > 0 else {
                    throw Problem.validation([FieldError("body", "must be the file's bytes; it is empty")])
                }
                try await flush(final: true)
            }
            // The content types of an office package, read back from the stored chunks (they are compressed).
            if type == .docx || type == .xlsx, let content {
                switch try await OfficePackage.inspect(size: Int64(size), read: { try await store.fileBytes(content: content, $0..<($0 + Int64($1))) }) {
                case .noMacros: break
                case .macros: throw Self.macros
                case .unreadable: throw Self.uncheckable
                }
            }
            if check?.finding == .encrypted {
                throw Problem(status: 422, slug: "encrypted-file", title: "Encrypted file",
                              detail: "The PDF is encrypted (its trailer has /Encrypt): it can be neither checked nor published. Upload it without a password.",
                              errors: [FieldError("body", "is an encrypted PDF")])
            }
            if case .found(let signature) = verdict {
                throw Problem(status: 422, slug: "malware-detected", title: "Malware detected",
                              detail: "ClamAV found \(signature) in the file; it was not stored.",
                              errors: [FieldError("body", "contains \(signature)")])
            }
            guard let content, let type else { throw Problem.validation([FieldError("body", "is empty")]) }
            return Received(content: content, size: Int64(size), sha256: Hex.string(hasher.finalize()), type: type)
        } catch {
            if let content { try? await store.discardFileContent(content) }
            throw error
        }
    }

    /// The size and SHA-256 of a body that is not stored (a replay of an idempotent upload), with the size limit.
    func hash(_ body: HTTPBody) async throws -> (size: Int64, sha256: String) {
        var hasher = SHA256()
        var size = 0
        for try await part in body {
            size += part.count
            guard size <= maxBytes else { throw tooLarge }
            hasher.update(data: part)
        }
        return (Int64(size), Hex.string(hasher.finalize()))
    }

    /// The accepted type of the file whose first chunk this is; a 415 naming what it is otherwise, or naming
    /// both types when `Content-Type` says another (`application/octet-stream`, or `*/*`, means "decide from the content").
    func decideType(_ chunk: Data, complete: Bool, declared: String?) throws -> AcceptedFileType {
        let declaredType = HeaderValues.mediaType(declared)
        guard let type = detector.acceptedType(of: chunk, complete: complete) else {
            let seen = detector.mediaType(of: chunk) ?? "an unknown type"
            if seen == AcceptedFileType.text.rawValue { throw Self.notUTF8 }
            throw Problem(status: 415, slug: "unsupported-media-type", title: "Unsupported media type",
                          detail: "The content is \(seen), which is not accepted. Upload PDF, DOCX, XLSX, ODT, ODS, PNG, JPEG or UTF-8 plain text.",
                          errors: [FieldError("body", "is \(seen), which is not an accepted type")])
        }
        if let declaredType, declaredType != "application/octet-stream", declaredType != "*/*", declaredType != type.rawValue {
            throw Problem(status: 415, slug: "media-type-mismatch", title: "Declared type does not match the content",
                          detail: "Content-Type says \(declaredType), but the content is \(type.rawValue). Send the right type, or application/octet-stream to have it decided from the content.",
                          errors: [FieldError("Content-Type", "says \(declaredType), but the content is \(type.rawValue)")])
        }
        return type
    }
}

/// Checks that consecutive chunks are UTF-8, allowing a character cut at the end of a chunk but the last.
struct UTF8Continuity {
    private var carry: [UInt8] = []

    mutating func accepts(_ chunk: Data, final: Bool) -> Bool {
        let window = carry + Array(chunk)
        for cut in 0...(final ? 0 : min(3, window.count)) where String(validating: window.dropLast(cut), as: UTF8.self) != nil {
            carry = Array(window.suffix(cut))
            return true
        }
        return false
    }
}
