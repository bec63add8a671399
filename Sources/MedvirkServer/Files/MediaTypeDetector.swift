import CMagic
import MedvirkCore
import Foundation
import Synchronization

/// The file types Medvirk accepts, each with the media type libmagic reports for it. The type of an upload
/// is decided from its bytes, never from its name or the declared `Content-Type` (DESIGN.md §7).
public enum AcceptedFileType: String, CaseIterable, Sendable {
    case pdf = "application/pdf"
    case docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    case xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    case odt = "application/vnd.oasis.opendocument.text"
    case ods = "application/vnd.oasis.opendocument.spreadsheet"
    case png = "image/png"
    case jpeg = "image/jpeg"
    /// UTF-8 plain text (ASCII included); other encodings are refused.
    case text = "text/plain"

    /// The media type as served.
    public var mediaType: String { self == .text ? "text/plain; charset=utf-8" : rawValue }
}

/// libmagic (the detector behind file(1), Debian's libmagic-dev) asked for the MIME type of a file's first
/// bytes. One libmagic handle is not safe to use from two threads at once, so calls take turns on it; each
/// call reads only the bytes given (the first chunk of an upload, at most `sampleBytes`).
public final class MediaTypeDetector: Sendable {
    /// How much of a file's start libmagic is shown: enough for ZIP-based formats to show their first entries.
    public static let sampleBytes = 256 * 1024

    private struct Handle: ~Copyable, @unchecked Sendable {
        let cookie: OpaquePointer
    }

    private let handle: Mutex<Handle>

    /// Loads libmagic's compiled database (libmagic-mgc); fails when it cannot be loaded.
    public init() throws {
        guard let cookie = magic_open(MAGIC_MIME_TYPE | MAGIC_ERROR) else { throw DetectorError.unavailable("magic_open failed") }
        guard magic_load(cookie, nil) == 0 else {
            let reason = magic_error(cookie).map { String(cString: $0) } ?? "unknown error"
            magic_close(cookie)
            throw DetectorError.unavailable(reason)
        }
        handle = Mutex(Handle(cookie: cookie))
    }

    deinit {
        handle.withLock { magic_close($0.cookie) }
    }

    /// libmagic's media type for `bytes` (such as `application/pdf`), or nil when it cannot tell.
    public func mediaType(of bytes: Data) -> String? {
        let sample = bytes.prefix(Self.sampleBytes)
        return handle.withLock { handle in
            sample.withUnsafeBytes { raw in
                magic_buffer(handle.cookie, raw.baseAddress, raw.count).map { String(cString: $0) }
            }
        }
    }

    /// The accepted type the bytes are, or nil for anything else (HTML, SVG, archives, executables, text
    /// that is not UTF-8). Plain text is accepted only when the sample is valid UTF-8 (a multi-byte
    /// character cut at the sample's end still counts).
    /// `complete`: the bytes are the whole file (else a multi-byte character may be cut at their end); by
    /// default, when they fit in one sample.
    public func acceptedType(of bytes: Data, complete: Bool? = nil) -> AcceptedFileType? {
        guard let detected = mediaType(of: bytes), let type = AcceptedFileType(rawValue: detected) else { return nil }
        if type == .text, !Self.isUTF8(bytes.prefix(Self.sampleBytes), complete: complete ?? (bytes.count <= Self.sampleBytes)) { return nil }
        return type
    }

    /// The extensions a name of each type may end in, the usual one first.
    public static func fileExtensions(_ type: AcceptedFileType) -> [String] {
        switch type {
        case .pdf: ["pdf"]
        case .docx: ["docx"]
        case .xlsx: ["xlsx"]
        case .odt: ["odt"]
        case .ods: ["ods"]
        case .png: ["png"]
        case .jpeg: ["jpg", "jpeg"]
        case .text: ["txt"]
        }
    }

    /// `name` with an extension that says what the content is: a name that ends otherwise (`letter.html` for a
    /// PDF, `data.csv` for text, none at all) gets the type's usual one added, so a downloaded file opens as
    /// what it is (`letter.html.pdf`), never as what its name claimed.
    public static func named(_ name: String, as type: AcceptedFileType) -> String {
        let dot = name.lastIndex(of: ".")
        let given = dot.map { name[name.index(after: $0)...].lowercased() }
        if let given, fileExtensions(type).contains(given) { return name }
        let suffix = "." + fileExtensions(type)[0]
        return String(name.prefix(Filename.maxLength - suffix.count)) + suffix
    }

    /// Whether `bytes` is UTF-8; when the sample is not the whole file, up to three bytes of a character cut
    /// at its end are allowed.
    static func isUTF8(_ bytes: Data, complete: Bool) -> Bool {
        if String(validating: bytes, as: UTF8.self) != nil { return true }
        guard !complete else { return false }
        return (1...3).contains { cut in bytes.count > cut && String(validating: bytes.dropLast(cut), as: UTF8.self) != nil }
    }

    public enum DetectorError: Error, CustomStringConvertible {
        case unavailable(String)
        public var description: String {
            switch self {
            case .unavailable(let reason): "libmagic could not be loaded (install libmagic1 and libmagic-mgc): \(reason)"
            }
        }
    }
}
