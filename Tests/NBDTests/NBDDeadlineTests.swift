import Foundation
import Glibc
import JoistTesting
import Logging
import NBD
import Testing

/// The client never hangs: a server that never greets, or never answers a request, ends in a timeout
/// that names what was waited for; a cancelled request returns at once.
@Suite("NBD client deadlines and cancellation", .timeLimit(.minutes(1)))
struct NBDDeadlineTests {
    @Test("a server that accepts but never greets times out the negotiation")
    func silentServer() async throws {
        try await withTemporaryDirectory(prefix: "jnbdt") { directory in
            let server = try StalledServer(path: directory + "/s.sock", completesHandshake: false)
            defer { server.close() }
            await #expect {
                _ = try await NBDClient.connect(to: .unix(path: server.path), export: "disk", timeout: .milliseconds(300), logger: Logger(label: "test"))
            } throws: { error in
                guard case NBDError.timeout(let detail) = error else { return false }
                return detail.contains("no NBD negotiation")
            }
        }
    }

    @Test("a request the server never answers times out and closes the connection; a cancelled one returns at once")
    func stalledRequest() async throws {
        try await withTemporaryDirectory(prefix: "jnbdt") { directory in
            let server = try StalledServer(path: directory + "/s.sock", completesHandshake: true)
            defer { server.close() }
            let patient = try await NBDClient.connect(to: .unix(path: server.path), export: "disk", logger: Logger(label: "test"))
            #expect(patient.export.size == 1 << 20)
            let reading = Task { try await patient.read(offset: 0, length: 4096) }
            reading.cancel()
            await #expect(throws: CancellationError.self) { try await reading.value }
            #expect(patient.isConnected, "a cancelled request leaves the connection usable")
            await patient.close()

            let hasty = try await NBDClient.connect(
                to: .unix(path: server.path), export: "disk", requestTimeout: .milliseconds(300), logger: Logger(label: "test"))
            await #expect {
                _ = try await hasty.read(offset: 0, length: 4096)
            } throws: { error in
                guard case NBDError.timeout(let detail) = error else { return false }
                return detail.contains("read of 4096 bytes at 0")
            }
            #expect(!hasty.isConnected)
        }
    }
}

/// A Unix-socket server on a thread of its own that negotiates one export (1 MiB, structured replies)
/// and then reads requests without ever answering; or, without `completesHandshake`, never says a word.
final class StalledServer: @unchecked Sendable {
    // @unchecked: `listener` is set once in init; connections are only touched by the server thread.
    let path: String
    private let listener: Int32

    init(path: String, completesHandshake: Bool) throws {
        self.path = path
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        listener = fd
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            path.utf8CString.withUnsafeBytes { raw.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0.prefix(raw.count - 1))) }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0, listen(fd, 8) == 0 else { throw TestSetupError("cannot listen on \(path)") }
        guard completesHandshake else { return }
        let listener = self.listener
        Thread.detachNewThread {
            while true {
                let connection = accept(listener, nil, nil)
                guard connection >= 0 else { return }
                Thread.detachNewThread { Self.serve(connection) }
            }
        }
    }

    func close() {
        shutdown(listener, Int32(SHUT_RDWR))
        Glibc.close(listener)
    }

    private static func serve(_ fd: Int32) {
        defer { Glibc.close(fd) }
        send(fd, Bytes().text("NBDMAGIC").text("IHAVEOPT").u16(3))
        guard receive(fd, 4) != nil else { return }
        while let header = receive(fd, 16) {
            let option = header[8..<12].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            let length = Int(header[12..<16].reduce(UInt32(0)) { $0 << 8 | UInt32($1) })
            guard receive(fd, length) != nil else { return }
            if option == 7 {
                send(fd, ServerBytes.optionReply(option: 7, type: 3, payload: Bytes().u16(0).u64(1 << 20).u16(3)))
                send(fd, ServerBytes.optionReply(option: 7, type: 1))
                break
            }
            send(fd, ServerBytes.optionReply(option: option, type: 1))
        }
        // Transmission: read requests, answer none.
        while receive(fd, 28) != nil {}
    }

    private static func send(_ fd: Int32, _ bytes: Bytes) {
        let array = bytes.array
        _ = array.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    }

    private static func receive(_ fd: Int32, _ count: Int) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let got = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress! + done, count - done) }
            guard got > 0 else { return nil }
            done += got
        }
        return bytes
    }
}
