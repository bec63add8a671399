import CompressNIO
import NIOCore

/// gzip for text responses: JSON, CSV and calendars over 1 KiB, when the client accepts it.
enum Compression {
    static let threshold = 1024

    static func isCompressible(_ contentType: String?) -> Bool {
        guard let type = HeaderValues.mediaType(contentType) else { return false }
        return type == "application/json" || type == "text/csv" || type == "text/calendar" || type == "application/yaml"
    }

    /// True when `Accept-Encoding` lists gzip (or `*`) without `q=0`.
    static func acceptsGzip(_ header: String?) -> Bool {
        guard let header else { return false }
        return HeaderValues.items(header).contains { part in
            let pieces = part.split(separator: ";").map { HeaderValues.trimmed($0).lowercased() }
            guard let coding = pieces.first, coding == "gzip" || coding == "x-gzip" || coding == "*" else { return false }
            let q = pieces.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
            return q > 0
        }
    }

    static func gzip(_ body: ByteBuffer) throws -> ByteBuffer {
        let compressor = try ZlibCompressor(algorithm: .gzip)
        var input = body
        var output = ByteBuffer()
        output.reserveCapacity(compressor.maxSize(from: input) + 64)
        try input.compressStream(to: &output, with: compressor, flush: .finish)
        return output
    }
}
