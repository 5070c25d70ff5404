import AsyncHTTPClient
import JoistTLS
import NIOCore
import NIOPosix
import Synchronization

/// One HTTP client per pinned certificate, made on first use and kept for the life of the process.
///
/// A client's TLS configuration is fixed when it is created, so each pinned certificate gets its
/// own; a CLI process talks to one or two remotes, so they are never shut down (a client that is
/// never deinitialized need not be).
enum PinnedHTTPClients {
    private static let clients = Mutex<[CertificateFingerprint: HTTPClient]>([:])

    /// The client that trusts exactly `remote`'s pinned certificate.
    static func client(for remote: RemoteEndpoint) throws -> HTTPClient {
        let tls = try remote.tlsConfiguration()
        return Self.clients.withLock { clients in
            if let client = clients[remote.fingerprint] { return client }
            var configuration = HTTPClient.Configuration(tlsConfiguration: tls)
            configuration.timeout.connect = .seconds(15)
            configuration.redirectConfiguration = .disallow
            // Fail at once instead of retrying with backoff until the request's deadline: a refused
            // handshake will not get better by itself, and the pin check should run right away.
            configuration.connectionPool.retryConnectionEstablishment = false
            let client = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration)
            clients[remote.fingerprint] = client
            return client
        }
    }
}
