import JoistTLS
import NIOSSL

extension RemoteEndpoint {
    /// After a failed connection, finds out whether the server now presents another certificate.
    ///
    /// Probes the server without trusting it and compares fingerprints. Returns when the probe fails
    /// or finds the pinned certificate (the original error then stands); throws the "changed" error
    /// otherwise. Never sends a request: the new certificate is not trusted for anything.
    func checkPinnedCertificate() async throws {
        guard let der = try? await CertificateProbe.leafCertificate(host: self.url.host, port: self.url.port) else { return }
        let presented = CertificateFingerprint(der: der)
        guard presented != self.fingerprint else { return }
        throw CLIError(
            """
            the certificate of remote \(self.name) changed (pinned \(self.fingerprint), now \(presented)); refusing to connect. \
            If you expected this, run: joist remote remove \(self.name) && joist remote add \(self.name) \(self.url) --token …
            """,
            code: "certificate_changed"
        )
    }
}

/// Whether `error` is a failed TLS handshake or certificate check, the symptom of a changed certificate.
func isTLSFailure(_ error: any Error) -> Bool {
    error is NIOSSLError || error is BoringSSLError
}
