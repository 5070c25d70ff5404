import JoistTesting
import Foundation
import JoistTLS
import Testing

@Suite("Self-signed certificates")
struct SelfSignedCertificateTests {
    @Test("openssl reads the certificate: names, server-auth usage, not a CA, ten years")
    func certificateContents() throws {
        let now = Date()
        let generated = try SelfSignedCertificate.generate(
            dnsNames: ["vmhost", "localhost"], ipAddresses: ["127.0.0.1", "::1"], now: now)
        let text = try OpenSSLTool.run(["x509", "-noout", "-text"], input: generated.certificatePEM)
        #expect(text.contains("DNS:vmhost, DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1"))
        #expect(text.contains("TLS Web Server Authentication"))
        #expect(text.contains("CA:FALSE"))
        #expect(text.contains("ecdsa-with-SHA256"))
        #expect(text.contains("prime256v1"))
        let endDate = try OpenSSLTool.run(["x509", "-noout", "-enddate"], input: generated.certificatePEM)
        let year = Calendar(identifier: .gregorian).component(.year, from: now.addingTimeInterval(SelfSignedCertificate.defaultValidity))
        #expect(endDate.contains(String(year)))
    }

    @Test("the key is a PKCS #8 P-256 key that matches the certificate")
    func keyMatchesCertificate() throws {
        let generated = try SelfSignedCertificate.generate(dnsNames: ["localhost"], ipAddresses: [])
        #expect(generated.privateKeyPEM.hasPrefix("-----BEGIN PRIVATE KEY-----"))
        let fromKey = try OpenSSLTool.run(["pkey", "-pubout"], input: generated.privateKeyPEM)
        let fromCertificate = try OpenSSLTool.run(["x509", "-noout", "-pubkey"], input: generated.certificatePEM)
        #expect(fromKey == fromCertificate)
    }

    @Test("the certificate verifies against itself as the only trust anchor, for a TLS server")
    func selfVerifies() async throws {
        try await withTemporaryDirectory { directory in
            let generated = try SelfSignedCertificate.generate(dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"])
            let path = directory + "/server.crt"
            try generated.certificatePEM.write(toFile: path, atomically: true, encoding: .utf8)
            let result = try OpenSSLTool.run(["verify", "-purpose", "sslserver", "-CAfile", path, path])
            #expect(result.contains(": OK"))
        }
    }

    @Test("every certificate gets its own key and serial number")
    func unique() throws {
        let first = try SelfSignedCertificate.generate(dnsNames: ["localhost"], ipAddresses: [])
        let second = try SelfSignedCertificate.generate(dnsNames: ["localhost"], ipAddresses: [])
        #expect(first.privateKeyPEM != second.privateKeyPEM)
        #expect(try CertificateFingerprint(pem: first.certificatePEM) != CertificateFingerprint(pem: second.certificatePEM))
    }

    @Test(
        "malformed names and addresses are refused",
        arguments: [
            (["bad name"], [String]()),
            (["localhost"], ["300.1.1.1"]),
            (["localhost"], ["localhost"]),
        ]
    )
    func malformed(dnsNames: [String], ipAddresses: [String]) {
        let error = #expect(throws: JoistTLSError.self) {
            try SelfSignedCertificate.generate(dnsNames: dnsNames, ipAddresses: ipAddresses)
        }
        #expect(error?.code == .invalidArgument)
    }
}
