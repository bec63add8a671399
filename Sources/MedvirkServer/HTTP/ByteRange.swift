import Foundation
import MedvirkStore
import OpenAPIRuntime

/// What a GET's `Range` asks of a representation of `size` bytes (RFC 9110 §14): one range of bytes, or the
/// whole. Several ranges, another unit and malformed values are ignored (§14.2 lets a server ignore
/// `Range`), as is a `Range` whose `If-Range` names another entity tag or a date (§13.1.5).
enum ByteRange: Equatable {
    case whole
    case part(Range<Int64>)
    /// 416 with `Content-Range: bytes */size`.
    case unsatisfiable

    static func requested(_ header: String?, ifRange: String?, entityTag: String, size: Int64) -> ByteRange {
        guard let header else { return .whole }
        // If-Range uses the strong comparison; a date (never a strong validator here) fails it.
        if let ifRange, ifRange.trimmingCharacters(in: .whitespaces) != entityTag { return .whole }
        let text = header.trimmingCharacters(in: .whitespaces)
        guard text.lowercased().hasPrefix("bytes=") else { return .whole }
        let spec = text.dropFirst(6).trimmingCharacters(in: .whitespaces)
        guard !spec.contains(","), let dash = spec.firstIndex(of: "-") else { return .whole }
        let first = spec[..<dash].trimmingCharacters(in: .whitespaces), last = spec[spec.index(after: dash)...].trimmingCharacters(in: .whitespaces)
        func number(_ s: String) -> Int64? { s.isEmpty || s.count > 18 || !s.allSatisfy({ ("0"..."9").contains($0) }) ? nil : Int64(s) }
        if first.isEmpty {
            // `bytes=-n`: the last n bytes.
            guard let suffix = number(last) else { return .whole }
            guard suffix > 0, size > 0 else { return .unsatisfiable }
            return .part(max(0, size - suffix)..<size)
        }
        guard let start = number(first) else { return .whole }
        let end: Int64
        if last.isEmpty {
            end = size - 1
        } else {
            guard let given = number(last), given >= start else { return .whole }
            end = min(given, size - 1)
        }
        guard start < size else { return .unsatisfiable }
        return .part(start..<(end + 1))
    }

    func bytes(of size: Int64) -> Range<Int64> {
        if case .part(let range) = self { return range }
        return 0..<size
    }
}

/// A stored file's bytes in `range`, read one chunk at a time as the client takes them: memory per download
/// is one chunk, whatever the file's size.
struct FileBytes: AsyncSequence, Sendable {
    typealias Element = ArraySlice<UInt8>
    let store: Store
    let content: Int64
    let range: Range<Int64>

    struct AsyncIterator: AsyncIteratorProtocol {
        let store: Store
        let content: Int64
        var next: Int64
        let end: Int64

        mutating func next() async throws -> ArraySlice<UInt8>? {
            guard next < end else { return nil }
            let chunkBytes = Int64(Store.fileChunkBytes)
            let seq = next / chunkBytes
            guard let chunk = try await store.fileChunk(content: content, seq: Int(seq)) else {
                throw StoredDataError(description: "chunk \(seq) of content \(content) is missing")
            }
            let start = Int(next - seq * chunkBytes), stop = Int(Swift.min(end - seq * chunkBytes, Int64(chunk.count)))
            guard start < stop else { throw StoredDataError(description: "chunk \(seq) of content \(content) is short") }
            next = seq * chunkBytes + Int64(stop)
            return ArraySlice(chunk[chunk.startIndex + start..<chunk.startIndex + stop])
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(store: store, content: content, next: range.lowerBound, end: range.upperBound) }
}
