import JoistTesting
import Foundation
import Testing

#if canImport(CLIConsole)
@testable import CLIConsole
#else
@testable import CLI
#endif

@Suite("WebSocket upgrade against a server that hangs up")
struct WebSocketHangUpTests {
    @Test("a server that closes without answering the upgrade is an error, not a wait")
    func hangUp() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory + "/hangup.sock"
            let listener = try HangUpListener(path: path)
            defer { listener.close() }
            let error = await #expect(throws: WebSocketError.self) {
                try await WebSocketConnection.withConnection(to: .unixSocket(path: path), path: "/1.0/events") { _ in }
            }
            #expect(error?.code == .protocolViolation)
            #expect(error?.message == "joistd closed the connection without answering the WebSocket upgrade")
        }
    }
}

/// A Unix socket that accepts one connection, reads the request and hangs up.
private final class HangUpListener: Sendable {
    private let descriptor: Int32

    init(path: String) throws {
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            let bytes = Array(path.utf8.prefix(raw.count - 1))
            raw.copyBytes(from: bytes)
        }
        let bound = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                bind(descriptor, raw, socklen_t(MemoryLayout<sockaddr_un>.size)) == 0 && listen(descriptor, 4) == 0
            }
        }
        guard descriptor >= 0, bound else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        self.descriptor = descriptor
        Thread.detachNewThread {
            let connection = accept(descriptor, nil, nil)
            guard connection >= 0 else { return }
            var request = [UInt8](repeating: 0, count: 4096)
            _ = read(connection, &request, request.count)
            Glibc.close(connection)
        }
    }

    func close() {
        shutdown(self.descriptor, Int32(SHUT_RDWR))
        Glibc.close(self.descriptor)
    }
}
