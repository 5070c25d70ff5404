import Foundation
import JoistCore

/// The two pipes a `HostCommand` child writes its stdout and stderr to, and the loop that drains them.
struct OutputPipes: Sendable {
    struct Pipe: Sendable {
        let read: Int32
        let write: Int32
    }

    let stdout: Pipe
    let stderr: Pipe

    /// Opens both pipes close-on-exec; the spawn duplicates the write ends onto the child's 1 and 2.
    init() throws(JoistError) {
        stdout = try Self.makePipe()
        do {
            stderr = try Self.makePipe()
        } catch {
            close(stdout.read)
            close(stdout.write)
            throw error
        }
    }

    private static func makePipe() throws(JoistError) -> Pipe {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else {
            throw .hostFailure("cannot create a pipe for a host command: \(String(cString: strerror(errno)))")
        }
        // Swift's Glibc lacks pipe2. The moment before FD_CLOEXEC is set is harmless for our own
        // children (ProcessSpawner closes every descriptor above 2); it keeps other execs clean.
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        return Pipe(read: fds[0], write: fds[1])
    }

    /// Closes the parent's copies of the write ends, so the read ends see EOF once the child is done.
    func closeWriteEnds() {
        close(stdout.write)
        close(stderr.write)
    }

    func closeAll() {
        closeWriteEnds()
        close(stdout.read)
        close(stderr.read)
    }

    /// Reads both pipes until each reaches EOF, keeping the last `limit` bytes of each and handing
    /// stdout chunks to `onStdout` as they arrive; closes the read ends. Blocks.
    func drain(limit: Int, onStdout: (@Sendable ([UInt8]) -> Void)?) -> (stdout: String, stderr: String) {
        var tails = [OutputTail(limit: limit), OutputTail(limit: limit)]
        var fds = [pollfd(fd: stdout.read, events: Int16(POLLIN), revents: 0), pollfd(fd: stderr.read, events: Int16(POLLIN), revents: 0)]
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        while fds.contains(where: { $0.fd >= 0 }) {
            if poll(&fds, nfds_t(fds.count), -1) < 0 {
                if errno == EINTR { continue }
                break
            }
            for index in fds.indices where fds[index].fd >= 0 && fds[index].revents != 0 {
                let count = buffer.withUnsafeMutableBytes { read(fds[index].fd, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else {
                    close(fds[index].fd)
                    fds[index].fd = -1  // poll skips negative descriptors
                    continue
                }
                let chunk = Array(buffer[0..<count])
                tails[index].append(chunk)
                if index == 0 { onStdout?(chunk) }
            }
        }
        for pollfd in fds where pollfd.fd >= 0 { close(pollfd.fd) }
        return (tails[0].text, tails[1].text)
    }
}

/// The last `limit` bytes written to a stream.
struct OutputTail {
    let limit: Int
    private(set) var bytes: [UInt8] = []

    init(limit: Int) {
        self.limit = max(0, limit)
    }

    mutating func append(_ chunk: [UInt8]) {
        bytes.append(contentsOf: chunk)
        // Trim in batches, not per chunk, so a long stream costs amortized linear time.
        if bytes.count > 2 * limit || (bytes.count > limit && limit < 4096) {
            bytes.removeFirst(bytes.count - limit)
        }
    }

    /// The kept bytes as text (invalid UTF-8 repaired), trimmed to `limit`.
    var text: String { String(decoding: bytes.suffix(limit), as: UTF8.self) }
}
