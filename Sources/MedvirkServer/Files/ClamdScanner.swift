import Foundation
import MedvirkCore
import NIOCore
import NIOPosix

/// Where clamd listens: `unix:/run/clamav/clamd.ctl` or `tcp:127.0.0.1:3310` (`--clamd`).
public enum ClamdAddress: Sendable, Equatable {
    case unix(path: String)
    case tcp(host: String, port: Int)

    /// Parses `unix:PATH` or `tcp:HOST:PORT`; nil for anything else.
    public init?(_ text: String) {
        if text.hasPrefix("unix:"), text.count > 5 {
            self = .unix(path: String(text.dropFirst(5)))
        } else if text.hasPrefix("tcp:"), let colon = text.lastIndex(of: ":"), colon > text.index(text.startIndex, offsetBy: 4),
                  let port = Int(text[text.index(after: colon)...]), (1...65535).contains(port) {
            self = .tcp(host: String(text[text.index(text.startIndex, offsetBy: 4)..<colon]), port: port)
        } else {
            return nil
        }
    }
}

/// Streams an upload to ClamAV's daemon with its `INSTREAM` command while the upload is stored: each piece
/// goes as a 4-byte big-endian length and the bytes, a zero length ends the stream, and clamd answers
/// `stream: OK` or `stream: <signature> FOUND` (clamd(8), "INSTREAM"). Without an address every upload
/// passes unscanned. clamd unreachable, or an answer that is neither, is a 503 with `Retry-After`: an upload
/// is never accepted unscanned when scanning is on.
struct ClamdScanner: Sendable {
    let address: ClamdAddress?

    enum Verdict: Equatable {
        case clean
        case found(signature: String)
    }

    static let unavailable = Problem(status: 503, slug: "scanner-unavailable", title: "Malware scanner unavailable",
                                     detail: "The upload could not be scanned for malware (clamd did not answer); nothing was stored. Retry later.",
                                     headers: ["Retry-After": "30"])

    /// Runs `body` with a `send` that passes each piece of the file to clamd, then reads clamd's verdict.
    func scan<T: Sendable>(_ body: (_ send: (ByteBuffer) async throws -> Void) async throws -> T) async throws -> (T, Verdict) {
        guard let address else { return (try await body { _ in }, .clean) }
        let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
        do {
            channel = try await connect(address)
        } catch {
            throw Self.unavailable
        }
        return try await channel.executeThenClose { inbound, outbound in
            var command = ByteBuffer(string: "zINSTREAM")
            command.writeInteger(UInt8(0))
            do { try await outbound.write(command) } catch { throw Self.unavailable }
            let result = try await body { piece in
                var framed = ByteBuffer()
                framed.writeInteger(UInt32(piece.readableBytes), endianness: .big)
                framed.writeImmutableBuffer(piece)
                do { try await outbound.write(framed) } catch { throw Self.unavailable }
            }
            var end = ByteBuffer()
            end.writeInteger(UInt32(0), endianness: .big)
            var reply = ""
            do {
                try await outbound.write(end)
                for try await part in inbound {
                    reply += String(buffer: part)
                    if reply.contains("\0") { break }
                }
            } catch {
                throw Self.unavailable
            }
            return (result, try Self.verdict(reply))
        }
    }

    /// `stream: OK`, or `stream: Eicar-Test-Signature FOUND`; anything else (`… ERROR`, no answer) is a 503.
    static func verdict(_ reply: String) throws -> Verdict {
        let text = reply.trimmingCharacters(in: CharacterSet(charactersIn: "\0\n "))
        if text.hasSuffix(": OK") { return .clean }
        if text.hasSuffix(" FOUND"), let colon = text.firstIndex(of: ":") {
            return .found(signature: text[text.index(after: colon)...].dropLast(" FOUND".count).trimmingCharacters(in: .whitespaces))
        }
        throw Self.unavailable
    }

    private func connect(_ address: ClamdAddress) async throws -> NIOAsyncChannel<ByteBuffer, ByteBuffer> {
        let bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connectTimeout(.seconds(5))
        switch address {
        case .unix(let path):
            return try await bootstrap.connect(unixDomainSocketPath: path) { channel in
                channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
            }
        case .tcp(let host, let port):
            return try await bootstrap.connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
            }
        }
    }
}
