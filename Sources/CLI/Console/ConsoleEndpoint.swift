import NIOCore
import NIOPosix

/// Where joistd's API listens, as far as the console client is concerned.
///
/// This is the transport seam: a TCP+TLS case belongs here beside `unixSocket`, adding its TLS
/// handler in `connect` before the HTTP handlers; nothing else in the client changes.
enum ConsoleEndpoint: Sendable, Hashable, CustomStringConvertible {
    /// joistd's Unix socket, e.g. `/run/joist/joist.sock`.
    case unixSocket(path: String)

    /// The `Host` header to send: a Unix socket has no host name, so HTTP/1.1's required header says `localhost`.
    var hostHeader: String {
        switch self {
        case .unixSocket: "localhost"
        }
    }

    /// A human-readable address for error messages.
    var description: String {
        switch self {
        case .unixSocket(let path): path
        }
    }

    /// Connects, running `initializer` on the new channel before any byte flows.
    func connect<Output: Sendable>(
        initializer: @escaping @Sendable (any Channel) -> EventLoopFuture<Output>
    ) async throws -> Output {
        switch self {
        case .unixSocket(let path):
            try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connect(unixDomainSocketPath: path, channelInitializer: initializer)
        }
    }
}
