import JoistTesting
import Foundation
import JoistTLS
import Testing

@Suite("Certificate fingerprints")
struct CertificateFingerprintTests {
    @Test("equals what openssl x509 -noout -fingerprint -sha256 prints")
    func matchesOpenSSL() throws {
        let generated = try SelfSignedCertificate.generate(dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"])
        let fingerprint = try CertificateFingerprint(pem: generated.certificatePEM)
        let expected = try OpenSSLTool.fingerprint(ofPEM: generated.certificatePEM)
        #expect(fingerprint.description == expected)
        #expect(fingerprint.description.count == 32 * 3 - 1)
    }

    @Test("a certificate made by openssl itself fingerprints the same way")
    func opensslCertificate() async throws {
        try await withTemporaryDirectory { directory in
            _ = try OpenSSLTool.run([
                "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "1",
                "-subj", "/CN=other", "-keyout", directory + "/k.pem", "-out", directory + "/c.pem",
            ])
            let pem = try String(contentsOfFile: directory + "/c.pem", encoding: .utf8)
            #expect(try CertificateFingerprint(pem: pem).description == OpenSSLTool.fingerprint(ofPEM: pem))
        }
    }

    @Test("typed fingerprints parse with or without colons, in any case")
    func parsing() throws {
        let generated = try SelfSignedCertificate.generate(dnsNames: ["localhost"], ipAddresses: [])
        let fingerprint = try CertificateFingerprint(pem: generated.certificatePEM)
        let text = fingerprint.description
        #expect(CertificateFingerprint(parsing: text) == fingerprint)
        #expect(CertificateFingerprint(parsing: text.lowercased()) == fingerprint)
        #expect(CertificateFingerprint(parsing: text.replacingOccurrences(of: ":", with: "")) == fingerprint)
        #expect(CertificateFingerprint(parsing: String(text.dropLast(3))) == nil)
        #expect(CertificateFingerprint(parsing: "+" + String(text.replacingOccurrences(of: ":", with: "").dropFirst())) == nil)
        #expect(CertificateFingerprint(parsing: String(repeating: "zz", count: 32)) == nil)
    }

    @Test("the abbreviated form is the first eight pairs and an ellipsis")
    func abbreviated() throws {
        let fingerprint = try #require(CertificateFingerprint(parsing: String(repeating: "0a", count: 32)))
        #expect(fingerprint.abbreviated == "0A:0A:0A:0A:0A:0A:0A:0A…")
    }

    @Test("text without a certificate is invalid material")
    func notACertificate() {
        let error = #expect(throws: JoistTLSError.self) { try CertificateFingerprint(pem: "hello") }
        #expect(error?.code == .invalidMaterial)
    }
}

@Suite("Certificate PEM encoding")
struct CertificatePEMTests {
    @Test("DER encoded back to PEM is the same certificate, in 64-column lines")
    func roundTrip() throws {
        let generated = try SelfSignedCertificate.generate(dnsNames: ["localhost"], ipAddresses: [])
        let der = try CertificateFingerprint.derBytes(pem: generated.certificatePEM)
        let pem = CertificatePEM.encode(der: der)
        #expect(pem == generated.certificatePEM)
        #expect(try CertificateFingerprint.derBytes(pem: pem) == der)
    }
}
