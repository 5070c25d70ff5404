import Foundation
import NIOSSL

/// Where a server's certificate and private key live.
public struct TLSMaterialPaths: Sendable, Equatable {
    /// The PEM certificate, e.g. `/var/lib/joist/tls/server.crt`.
    public let certificate: String
    /// The PEM private key, e.g. `/var/lib/joist/tls/server.key`.
    public let privateKey: String

    /// Paths to an existing certificate and key.
    public init(certificate: String, privateKey: String) {
        self.certificate = certificate
        self.privateKey = privateKey
    }
}

/// The server's own certificate: generated on first start, reused afterwards.
public enum ServerTLSMaterial {
    /// The certificate's file name inside the TLS directory.
    public static let certificateFileName = "server.crt"
    /// The private key's file name inside the TLS directory.
    public static let privateKeyFileName = "server.key"

    /// The names a generated certificate carries by default: this host's name and `localhost`.
    public static var defaultDNSNames: [String] {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count) == 0 else { return ["localhost"] }
        let hostname = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let usable = !hostname.isEmpty && hostname.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == ".") }
        return usable && hostname != "localhost" ? [hostname, "localhost"] : ["localhost"]
    }

    /// The addresses a generated certificate carries by default: the loopback addresses.
    public static let defaultIPAddresses = ["127.0.0.1", "::1"]

    /// Returns the paths of `server.crt` and `server.key` in `directory`, generating a self-signed
    /// pair on first use.
    ///
    /// The directory is created 0700 and the key written 0600, both atomically. Existing files are
    /// reused as they are, after checking that both parse and that the key belongs to the certificate.
    ///
    /// - Throws: ``JoistTLSError``: `invalidMaterial` when only one of the two files exists or they
    ///   do not parse or match, `fileSystem` when the files cannot be written.
    public static func loadOrCreate(
        directory: String,
        dnsNames: [String] = Self.defaultDNSNames,
        ipAddresses: [String] = Self.defaultIPAddresses
    ) throws -> TLSMaterialPaths {
        let paths = TLSMaterialPaths(
            certificate: (directory as NSString).appendingPathComponent(Self.certificateFileName),
            privateKey: (directory as NSString).appendingPathComponent(Self.privateKeyFileName)
        )
        let files = FileManager.default
        switch (files.fileExists(atPath: paths.certificate), files.fileExists(atPath: paths.privateKey)) {
        case (true, true):
            try Self.validate(paths)
        case (false, false):
            try OwnerOnlyFiles.createDirectory(directory)
            let generated = try SelfSignedCertificate.generate(dnsNames: dnsNames, ipAddresses: ipAddresses)
            // The key first: a certificate on disk promises that its key is there too.
            try OwnerOnlyFiles.write(Array(generated.privateKeyPEM.utf8), to: paths.privateKey, mode: 0o600)
            try OwnerOnlyFiles.write(Array(generated.certificatePEM.utf8), to: paths.certificate, mode: 0o644)
        case (true, false):
            throw JoistTLSError(
                .invalidMaterial,
                "\(paths.certificate) exists but its key \(paths.privateKey) does not; restore the key, or remove the certificate to generate a new pair")
        case (false, true):
            throw JoistTLSError(
                .invalidMaterial,
                "\(paths.privateKey) exists but its certificate \(paths.certificate) does not; restore the certificate, or remove the key to generate a new pair")
        }
        return paths
    }

    /// Checks that the certificate and key at `paths` parse and belong together.
    public static func validate(_ paths: TLSMaterialPaths) throws {
        let certificate: NIOSSLCertificate
        let key: NIOSSLPrivateKey
        do {
            guard let first = try NIOSSLCertificate.fromPEMFile(paths.certificate).first else {
                throw JoistTLSError(.invalidMaterial, "no CERTIFICATE block")
            }
            certificate = first
        } catch {
            throw JoistTLSError(.invalidMaterial, "cannot read the TLS certificate \(paths.certificate): \(error)")
        }
        do {
            key = try NIOSSLPrivateKey(file: paths.privateKey, format: .pem)
        } catch {
            throw JoistTLSError(.invalidMaterial, "cannot read the TLS key \(paths.privateKey): \(error)")
        }
        // A context refuses a key that does not match its certificate: the same check a server makes at start.
        do {
            _ = try NIOSSLContext(
                configuration: .makeServerConfiguration(certificateChain: [.certificate(certificate)], privateKey: .privateKey(key)))
        } catch {
            throw JoistTLSError(
                .invalidMaterial, "the TLS key \(paths.privateKey) does not belong to the certificate \(paths.certificate): \(error)")
        }
    }
}
