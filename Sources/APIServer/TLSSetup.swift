import Foundation
import JoistTLS
import Logging
import NIOSSL

/// The TLS material of the TCP listener: a given certificate and key, or a self-signed pair made on
/// first start in `STATE/tls` and reused afterwards (so pinned fingerprints stay valid).
enum TLSSetup {
    static func serverConfiguration(
        stateDirectory: String, certificate: String?, key: String?, logger: Logger
    ) throws -> TLSConfiguration {
        let paths: TLSMaterialPaths
        if let certificate, let key {
            paths = TLSMaterialPaths(certificate: certificate, privateKey: key)
            try ServerTLSMaterial.validate(paths)
        } else {
            paths = try ServerTLSMaterial.loadOrCreate(directory: stateDirectory + "/tls")
        }
        let configuration = try JoistTLSConfiguration.server(certificatePath: paths.certificate, privateKeyPath: paths.privateKey)
        if let pem = try? String(contentsOfFile: paths.certificate, encoding: .utf8), let fingerprint = try? CertificateFingerprint(pem: pem) {
            logger.info("TLS certificate \(paths.certificate), SHA-256 fingerprint \(fingerprint)")
        }
        return configuration
    }
}
