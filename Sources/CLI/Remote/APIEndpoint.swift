import JoistTLS
import NIOHTTP1
import NIOSSL

/// Where the CLI sends API requests: joistd's Unix socket, or a remote joistd over pinned HTTPS.
enum APIEndpoint: Sendable, Equatable, CustomStringConvertible {
    /// The local daemon's socket, e.g. `/run/joist/joist.sock`: root administration, no token.
    case unixSocket(path: String)
    /// A remote daemon, reached with its pinned certificate and a bearer token.
    case remote(RemoteEndpoint)

    /// How error messages name it: the socket path, or `remote prod (https://10.0.0.5:8443)`.
    var description: String {
        switch self {
        case .unixSocket(let path): path
        case .remote(let remote): "remote \(remote.name) (\(remote.url))"
        }
    }

    /// Headers every request carries: the bearer token for a remote, nothing for the socket.
    var authorizationHeaders: HTTPHeaders {
        switch self {
        case .unixSocket: [:]
        case .remote(let remote): ["Authorization": "Bearer \(remote.token)"]
        }
    }

    /// The same endpoint for WebSocket routes (the console, events).
    func webSocketEndpoint() throws -> WebSocketEndpoint {
        switch self {
        case .unixSocket(let path):
            return .unixSocket(path: path)
        case .remote(let remote):
            return .tls(host: remote.url.host, port: remote.url.port, configuration: try remote.tlsConfiguration())
        }
    }
}

/// A remote joistd as the CLI uses it: address, token and the certificate it pinned.
struct RemoteEndpoint: Sendable, Equatable {
    /// The remote's name in `config.yaml`, e.g. `prod`.
    let name: String
    /// `https://HOST:PORT`.
    let url: RemoteURL
    /// The bearer token.
    let token: String
    /// The pinned certificate, PEM.
    let certificatePEM: String
    /// The pinned certificate's fingerprint.
    let fingerprint: CertificateFingerprint

    /// A remote from its parts; the fingerprint is computed from the certificate.
    init(name: String, url: RemoteURL, token: String, certificatePEM: String) throws {
        self.name = name
        self.url = url
        self.token = token
        self.certificatePEM = certificatePEM
        self.fingerprint = try CertificateFingerprint(pem: certificatePEM)
    }

    /// The remote `name` as stored in the configuration.
    ///
    /// - Throws: ``CLIError`` when the entry is damaged: a bad URL, no certificate, or a certificate
    ///   whose fingerprint is not the one recorded beside it.
    init(name: String, entry: RemoteConfiguration.Entry) throws {
        do {
            try self.init(name: name, url: try RemoteURL(parsing: entry.url), token: entry.token, certificatePEM: entry.certificate)
        } catch {
            throw CLIError("remote \(name) is damaged in the configuration: \(error)")
        }
        guard CertificateFingerprint(parsing: entry.fingerprint) == self.fingerprint else {
            throw CLIError(
                "remote \(name) is damaged in the configuration: its certificate's fingerprint is \(self.fingerprint), not \(entry.fingerprint)")
        }
    }

    /// The configuration entry that stores this remote.
    var entry: RemoteConfiguration.Entry {
        .init(url: self.url.description, token: self.token, certificate: self.certificatePEM, fingerprint: self.fingerprint.description)
    }

    /// TLS that trusts only the pinned certificate.
    func tlsConfiguration() throws -> TLSConfiguration {
        try JoistTLSConfiguration.pinnedClient(certificatePEM: self.certificatePEM)
    }
}
