import JoistTesting
import Foundation
import JoistTLS
import Testing

@Suite("Server TLS material on disk")
struct ServerTLSMaterialTests {
    @Test("first use creates a 0700 directory, a 0600 key and a certificate that match")
    func creates() async throws {
        try await withTemporaryDirectory { root in
            let directory = root + "/state/tls"
            let paths = try ServerTLSMaterial.loadOrCreate(directory: directory)
            #expect(paths.certificate == directory + "/server.crt")
            #expect(paths.privateKey == directory + "/server.key")
            #expect(try permissions(directory) == 0o700)
            #expect(try permissions(paths.privateKey) == 0o600)
            let text = try OpenSSLTool.run(["x509", "-noout", "-text", "-in", paths.certificate])
            #expect(text.contains("DNS:localhost"))
            #expect(text.contains("IP Address:127.0.0.1"))
            // No temporary files are left behind by the atomic writes.
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory).sorted() == ["server.crt", "server.key"])
        }
    }

    @Test("later uses reuse the existing pair unchanged")
    func reuses() async throws {
        try await withTemporaryDirectory { directory in
            let first = try ServerTLSMaterial.loadOrCreate(directory: directory)
            let certificate = try String(contentsOfFile: first.certificate, encoding: .utf8)
            let key = try String(contentsOfFile: first.privateKey, encoding: .utf8)
            let second = try ServerTLSMaterial.loadOrCreate(directory: directory)
            #expect(second == first)
            #expect(try String(contentsOfFile: second.certificate, encoding: .utf8) == certificate)
            #expect(try String(contentsOfFile: second.privateKey, encoding: .utf8) == key)
        }
    }

    @Test("a certificate without its key, or a key without its certificate, is refused", arguments: ["server.crt", "server.key"])
    func halfPair(removed: String) async throws {
        try await withTemporaryDirectory { directory in
            _ = try ServerTLSMaterial.loadOrCreate(directory: directory)
            try FileManager.default.removeItem(atPath: directory + "/" + removed)
            let error = #expect(throws: JoistTLSError.self) { try ServerTLSMaterial.loadOrCreate(directory: directory) }
            #expect(error?.code == .invalidMaterial)
            #expect(error?.message.contains(removed) == true)
        }
    }

    @Test("files that do not parse, or a key from another pair, are refused")
    func invalid() async throws {
        try await withTemporaryDirectory { directory in
            let paths = try ServerTLSMaterial.loadOrCreate(directory: directory)
            let other = try SelfSignedCertificate.generate(dnsNames: ["localhost"], ipAddresses: [])
            try other.privateKeyPEM.write(toFile: paths.privateKey, atomically: true, encoding: .utf8)
            let mismatch = #expect(throws: JoistTLSError.self) { try ServerTLSMaterial.loadOrCreate(directory: directory) }
            #expect(mismatch?.message.contains("does not belong") == true)

            try "garbage".write(toFile: paths.certificate, atomically: true, encoding: .utf8)
            let garbage = #expect(throws: JoistTLSError.self) { try ServerTLSMaterial.loadOrCreate(directory: directory) }
            #expect(garbage?.code == .invalidMaterial)
            #expect(garbage?.message.contains(paths.certificate) == true)
        }
    }

    @Test("the server configuration loads the pair and requires TLS 1.2")
    func serverConfiguration() async throws {
        try await withTemporaryDirectory { directory in
            let paths = try ServerTLSMaterial.loadOrCreate(directory: directory)
            let configuration = try JoistTLSConfiguration.server(certificatePath: paths.certificate, privateKeyPath: paths.privateKey)
            #expect(configuration.minimumTLSVersion == .tlsv12)
            #expect(configuration.certificateChain.count == 1)
            #expect(throws: JoistTLSError.self) {
                try JoistTLSConfiguration.server(certificatePath: directory + "/missing.crt", privateKeyPath: paths.privateKey)
            }
        }
    }

    @Test("owner-only writes replace a file atomically with the requested mode")
    func ownerOnlyWrite() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory + "/secret"
            try OwnerOnlyFiles.write(Array("one".utf8), to: path)
            try OwnerOnlyFiles.write(Array("two".utf8), to: path)
            #expect(try String(contentsOfFile: path, encoding: .utf8) == "two")
            #expect(try permissions(path) == 0o600)
        }
    }
}
