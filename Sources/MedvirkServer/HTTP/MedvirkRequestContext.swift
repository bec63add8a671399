import Hummingbird
import NIOCore

/// The request context: Hummingbird's basics plus the peer address, which rate limits key on.
public struct MedvirkRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    /// The client's IP address (or socket path), for per-address limits.
    var clientAddress: String {
        remoteAddress?.ipAddress ?? remoteAddress?.pathname ?? "local"
    }
}
