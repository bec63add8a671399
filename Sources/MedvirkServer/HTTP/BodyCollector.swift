import Hummingbird
import NIOCore

/// Reads a whole response body into memory, so it can be hashed for an ETag or amended.
enum BodyCollector {
    final class Box: @unchecked Sendable {
        var buffer = ByteBuffer()
    }

    struct Writer: ResponseBodyWriter {
        let box: Box
        mutating func write(_ buffer: ByteBuffer) async throws {
            var buffer = buffer
            box.buffer.writeBuffer(&buffer)
        }
        consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
    }

    static func collect(_ body: ResponseBody) async throws -> ByteBuffer {
        let box = Box()
        try await body.write(Writer(box: box))
        return box.buffer
    }
}
