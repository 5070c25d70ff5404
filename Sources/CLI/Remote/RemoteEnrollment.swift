import JoistAPI
import JoistCore
import JoistTLS

/// `joist remote add`: pins a remote's certificate and proves the token works before saving anything.
///
/// The steps, each of which can stop the enrollment with nothing written:
/// 1. validate the name and URL;
/// 2. fetch the certificate the server presents and show its fingerprint;
/// 3. compare it with `--fingerprint`, when given;
/// 4. `GET /1.0` over TLS that trusts only that certificate, with the token;
/// 5. save the remote.
struct RemoteEnrollment: Sendable {
    /// Where the remote is saved.
    let store: ConfigStore
    /// Receives the lines to show the user (the fingerprint, the identity).
    var report: @Sendable (String) -> Void = { print($0) }

    /// Adds remote `name` at `url` with `token`; returns who the token authenticates as.
    ///
    /// - Parameter expectedFingerprint: The fingerprint the server's administrator read out
    ///   (`openssl x509 -noout -fingerprint -sha256 -in server.crt`); any case, colons optional.
    /// - Throws: ``CLIError``; nothing is saved when it throws.
    @discardableResult
    func add(name: String, url text: String, token: String, expectedFingerprint: String?) async throws -> ServerInfo {
        try Self.validate(name: name)
        guard try self.store.load().remotes[name] == nil else {
            throw CLIError("remote \(name) already exists; remove it first with `joist remote remove \(name)`", code: "already_exists")
        }
        let url = try RemoteURL(parsing: text)
        guard !token.isEmpty else { throw CLIError("the token must not be empty", code: "invalid_argument") }
        let expected = try expectedFingerprint.map { text in
            guard let fingerprint = CertificateFingerprint(parsing: text) else {
                throw CLIError("'\(text)' is not a SHA-256 fingerprint (64 hex digits, colons optional)", code: "invalid_argument")
            }
            return fingerprint
        }

        let der: [UInt8]
        do {
            der = try await CertificateProbe.leafCertificate(host: url.host, port: url.port)
        } catch {
            throw CLIError("cannot add remote \(name): \(error)")
        }
        let remote = try RemoteEndpoint(name: name, url: url, token: token, certificatePEM: CertificatePEM.encode(der: der))
        self.report("Certificate fingerprint: \(remote.fingerprint)")
        if let expected, expected != remote.fingerprint {
            throw CLIError(
                "cannot add remote \(name): the server's certificate fingerprint is \(remote.fingerprint), not the expected \(expected); nothing was saved",
                code: "fingerprint_mismatch")
        }

        let info: ServerInfo
        do {
            let answer = try await APIClient(endpoint: .remote(remote)).request(.GET, "/1.0")
            guard let decoded = try? answer.decode(ServerInfo.self) else {
                throw CLIError("GET /1.0 did not answer with joistd's server information; is it joistd?")
            }
            info = decoded
        } catch let error as CLIError {
            throw CLIError("cannot add remote \(name): \(error.message); nothing was saved", code: error.code, status: error.status)
        }
        try self.store.update { configuration in
            guard configuration.remotes[name] == nil else {
                throw CLIError("remote \(name) already exists; remove it first with `joist remote remove \(name)`", code: "already_exists")
            }
            configuration.remotes[name] = remote.entry
        }
        self.report("Added remote \(name): identity \(info.identity), role \(info.role.rawValue)" + (info.project.map { ", project \($0)" } ?? ""))
        return info
    }

    /// A remote name: a resource name, and not the built-in `local`.
    static func validate(name: String) throws {
        do {
            try ResourceName.validate(name, kind: "remote")
        } catch {
            throw CLIError(error.message, code: error.code.rawValue)
        }
        guard name != RemoteConfiguration.localName else {
            throw CLIError("remote name 'local' is taken by the built-in local socket", code: "invalid_argument")
        }
    }
}
