import NIOCore
import NIOPosix
import NIOSSL

/// Where a WebSocket to joistd's API connects: the transport beneath the HTTP upgrade.
///
/// ``APIEndpoint/webSocketEndpoint()`` makes one from the endpoint a command chose; the TLS case
/// carries the remote's pinned configuration.
enum WebSocketEndpoint: Sendable, CustomStringConvertible {
    /// joistd's Unix socket, e.g. `/run/joist/joist.sock`.
    case unixSocket(path: String)
    /// TCP to `host:port`, then TLS with `configuration` (a pinned one for remotes).
    case tls(host: String, port: Int, configuration: TLSConfiguration)

    /// The `Host` header to send. A Unix socket has no host name, so HTTP/1.1's required header says `localhost`.
    var hostHeader: String {
        switch self {
        case .unixSocket: "localhost"
        case .tls(let host, let port, _): host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        }
    }

    /// A human-readable address for error messages.
    var description: String {
        switch self {
        case .unixSocket(let path): path
        case .tls: "https://\(self.hostHeader)"
        }
    }

    /// Connects, running `initializer` on the new channel before any byte flows (after the TLS
    /// handler, for TLS, so the initializer's handlers see plaintext).
    func connect<Output: Sendable>(
        initializer: @escaping @Sendable (any Channel) -> EventLoopFuture<Output>
    ) async throws -> Output {
        switch self {
        case .unixSocket(let path):
            return try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connect(unixDomainSocketPath: path, channelInitializer: initializer)
        case .tls(let host, let port, let configuration):
            let context = try NIOSSLContext(configuration: configuration)
            // SNI carries names only; an IP address there is a protocol error.
            let serverName = host.contains(":") || host.allSatisfy({ $0.isNumber || $0 == "." }) ? nil : host
            return try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.seconds(15))
                .connect(host: host, port: port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(
                            NIOSSLClientHandler(context: context, serverHostname: serverName))
                    }.flatMap { initializer(channel) }
                }
        }
    }
}
