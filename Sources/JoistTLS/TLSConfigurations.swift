import NIOSSL

/// The TLS configurations joistd and joist use.
public enum JoistTLSConfiguration {
    /// A server configuration presenting the certificate chain and key in the given PEM files, TLS 1.2 or later.
    ///
    /// - Throws: ``JoistTLSError`` with code `invalidMaterial` when a file is missing or does not parse.
    public static func server(certificatePath: String, privateKeyPath: String) throws -> TLSConfiguration {
        let chain: [NIOSSLCertificate]
        let key: NIOSSLPrivateKey
        do {
            chain = try NIOSSLCertificate.fromPEMFile(certificatePath)
        } catch {
            throw JoistTLSError(.invalidMaterial, "cannot read the TLS certificate \(certificatePath): \(error)")
        }
        guard !chain.isEmpty else {
            throw JoistTLSError(.invalidMaterial, "cannot read the TLS certificate \(certificatePath): no CERTIFICATE block")
        }
        do {
            key = try NIOSSLPrivateKey(file: privateKeyPath, format: .pem)
        } catch {
            throw JoistTLSError(.invalidMaterial, "cannot read the TLS key \(privateKeyPath): \(error)")
        }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) },
            privateKey: .privateKey(key)
        )
        configuration.minimumTLSVersion = .tlsv12
        return configuration
    }

    /// A client configuration that trusts exactly one certificate, the pinned one, and nothing else.
    ///
    /// The certificate is the only trust root, so the handshake succeeds only when the server presents
    /// it. Host names are not checked: self-signed certificates are pinned, not named, and a server
    /// may be reached by an address its certificate does not list.
    ///
    /// - Throws: ``JoistTLSError`` with code `invalidMaterial` when `certificatePEM` holds no certificate.
    public static func pinnedClient(certificatePEM: String) throws -> TLSConfiguration {
        let certificates: [NIOSSLCertificate]
        do {
            certificates = try NIOSSLCertificate.fromPEMBytes(Array(certificatePEM.utf8))
        } catch {
            throw JoistTLSError(.invalidMaterial, "the pinned certificate does not parse: \(error)")
        }
        guard let pinned = certificates.first, certificates.count == 1 else {
            throw JoistTLSError(.invalidMaterial, "the pinned certificate must be exactly one PEM certificate")
        }
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.trustRoots = .certificates([pinned])
        configuration.additionalTrustRoots = []
        configuration.certificateVerification = .noHostnameVerification
        configuration.minimumTLSVersion = .tlsv12
        return configuration
    }
}
