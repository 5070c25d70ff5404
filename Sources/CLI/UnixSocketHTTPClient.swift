import AsyncHTTPClient
import NIOPosix

/// The HTTP client for joistd's Unix socket, made on the first request and kept for the life of
/// the process (never deinitialized, so it need not be shut down).
///
/// `HTTPClient.shared` retries a failed connection with backoff until its 90-second connect
/// timeout, so with joistd not running (no socket, or nobody listening on it) a command took 90 s
/// to say so. A socket that is not there will not appear by retrying within one command.
enum UnixSocketHTTPClient {
    /// The client; made with ``configuration`` on the shared event loops.
    static let shared = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: Self.configuration)

    /// `HTTPClient.shared`'s configuration, except that a connection that fails is not retried:
    /// the request fails at once with the connection's error.
    static var configuration: HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration.singletonConfiguration
        configuration.connectionPool.retryConnectionEstablishment = false
        return configuration
    }
}
