import JoistTesting
import Foundation
import JoistTLS
import Testing

@Suite("Certificate probe")
struct CertificateProbeTests {
    @Test("returns the certificate the server presents, even though nothing trusts it")
    func servedCertificate() async throws {
        try await withTemporaryDirectory { directory in
            let paths = try ServerTLSMaterial.loadOrCreate(directory: directory)
            let pem = try String(contentsOfFile: paths.certificate, encoding: .utf8)
            try await OpenSSLServer.withServer(certificate: paths.certificate, key: paths.privateKey) { server in
                let der = try await CertificateProbe.leafCertificate(host: "127.0.0.1", port: server.port)
                #expect(CertificateFingerprint(der: der) == (try CertificateFingerprint(pem: pem)))
                #expect(CertificateFingerprint(der: der).description == (try OpenSSLTool.fingerprint(ofPEM: pem)))
            }
        }
    }

    @Test("a closed port is refused")
    func refused() async throws {
        let port = try RawTCPListener.unusedPort()
        let error = await #expect(throws: JoistTLSError.self) {
            try await CertificateProbe.leafCertificate(host: "127.0.0.1", port: port)
        }
        #expect(error?.code == .connectionRefused)
        #expect(error?.message == "cannot probe 127.0.0.1:\(port): connection refused")
    }

    @Test("a server that never answers the handshake times out")
    func silent() async throws {
        let listener = try RawTCPListener()
        defer { listener.close() }
        let started = ContinuousClock.now
        let error = await #expect(throws: JoistTLSError.self) {
            try await CertificateProbe.leafCertificate(host: "127.0.0.1", port: listener.port, timeout: .milliseconds(300))
        }
        #expect(error?.code == .timeout)
        // Without its timeout the probe would wait for ever; the slack covers a busy host.
        #expect(ContinuousClock.now - started < .seconds(30))
    }

    @Test("a server that speaks plain HTTP is not TLS")
    func notTLS() async throws {
        let listener = try RawTCPListener()
        defer { listener.close() }
        listener.answerOnce("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        let error = await #expect(throws: JoistTLSError.self) {
            try await CertificateProbe.leafCertificate(host: "127.0.0.1", port: listener.port)
        }
        #expect(error?.code == .notTLS)
        #expect(error?.message.contains("did not complete a TLS handshake") == true)
    }
}

/// A TCP socket listening on 127.0.0.1 that accepts only when told to.
final class RawTCPListener: Sendable {
    let port: Int
    private let descriptor: Int32

    init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                bind(descriptor, raw, length) == 0 && listen(descriptor, 8) == 0 && getsockname(descriptor, raw, &length) == 0
            }
        }
        guard descriptor >= 0, bound else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        self.descriptor = descriptor
        self.port = Int(UInt16(bigEndian: address.sin_port))
    }

    /// A port nothing listens on: bound by the kernel's choice, then released.
    static func unusedPort() throws -> Int {
        let listener = try RawTCPListener()
        listener.close()
        return listener.port
    }

    /// On a background thread, accepts one connection, writes `text` and hangs up.
    func answerOnce(_ text: String) {
        let descriptor = self.descriptor
        Thread.detachNewThread {
            let connection = accept(descriptor, nil, nil)
            guard connection >= 0 else { return }
            var request = [UInt8](repeating: 0, count: 1024)
            _ = read(connection, &request, request.count)
            _ = Array(text.utf8).withUnsafeBytes { write(connection, $0.baseAddress, $0.count) }
            Glibc.close(connection)
        }
    }

    func close() {
        shutdown(self.descriptor, Int32(SHUT_RDWR))
        Glibc.close(self.descriptor)
    }
}
