import Foundation
import Glibc

/// A guest's serial console, read and typed into over QEMU's serial socket (tests and benchmarks).
///
/// The guest runs a shell on its console, which echoes what is typed; `run` brackets each command
/// with markers the shell prints but the echo does not contain, so answers are read reliably.
public final class SerialConsole: @unchecked Sendable {
    // @unchecked: `fd` never changes after init; `buffer` and `ended` are only touched under `condition`.
    private let fd: Int32
    private let condition = NSCondition()
    private var buffer = ""
    private var ended = false
    private var commands = 0

    public init(path: String) throws {
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            path.utf8CString.withUnsafeBytes { raw.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0.prefix(raw.count - 1))) }
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else {
            Glibc.close(fd)
            throw TestSetupError("cannot connect to the serial console at \(path): errno \(errno)")
        }
        // A blocking read needs a thread of its own, not one of the cooperative pool's.
        Thread.detachNewThread { [self] in readLoop() }
    }

    private func readLoop() {
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = read(fd, &chunk, chunk.count)
            condition.lock()
            if count <= 0 { ended = true } else { buffer += String(decoding: chunk[0..<count], as: UTF8.self) }
            condition.broadcast()
            condition.unlock()
            if count <= 0 { return }
        }
    }

    /// Waits for `marker` and returns what came before it, consuming both.
    public func take(until marker: String, timeout: Duration = .seconds(60)) async throws -> String {
        let deadline = Date().addingTimeInterval(Double(timeout.components.seconds))
        let taken: String? = await withCheckedContinuation { continuation in
            Thread.detachNewThread { [self] in
                condition.lock()
                while buffer.range(of: marker) == nil && !ended && condition.wait(until: deadline) {}
                var taken: String?
                if let range = buffer.range(of: marker) {
                    taken = String(buffer[..<range.lowerBound])
                    buffer.removeSubrange(..<range.upperBound)
                }
                condition.unlock()
                continuation.resume(returning: taken)
            }
        }
        guard let taken else { throw TestSetupError("no \(marker) on the guest console; it showed: \(pending)") }
        return taken
    }

    /// Runs `command` in the guest's shell and returns its output, one entry per line.
    public func run(_ command: String) async throws -> [String] {
        commands += 1
        // Typed as `BEG""IN`, printed as `BEGIN`: the echo of the command line never matches.
        let begin = "JOIST-\(commands)-BEGIN"
        let end = "JOIST-\(commands)-END"
        try type("echo JOIST-\(commands)-BEG\"\"IN; \(command); echo JOIST-\(commands)-E\"\"ND\n")
        _ = try await take(until: begin + "\r\n")
        let output = try await take(until: end)
        return output.split(whereSeparator: \.isNewline).map(String.init).filter { !$0.isEmpty }
    }

    private func type(_ text: String) throws {
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count else { throw TestSetupError("cannot type into the guest console: errno \(errno)") }
    }

    private var pending: String {
        condition.lock()
        defer { condition.unlock() }
        return String(buffer.suffix(2000))
    }

    public func close() {
        shutdown(fd, Int32(SHUT_RDWR))
        Glibc.close(fd)
    }
}
