import AsyncHTTPClient
import Foundation
import JoistAPI
import NIOCore
import Synchronization

extension APIClient {
    /// Uploads may take this long (an image of many gigabytes over a slow link).
    static let uploadTimeout = TimeAmount.hours(24)

    /// POSTs the file at `path` as `application/octet-stream`, streamed from disk in chunks (never read
    /// whole), with a progress line on a terminal; returns the operation the daemon answers with.
    func upload(file path: String, to apiPath: String) async throws -> JoistAPI.Operation {
        let size = try FileChunks.size(of: path)
        let line = UploadProgressLine(name: URL(fileURLWithPath: path).lastPathComponent, total: size)
        let body = HTTPClientRequest.Body.stream(FileChunks(path: path, sent: line.update), length: .known(Int64(size)))
        let answer = try await request(
            .POST, apiPath, rawBody: body, headers: [("Content-Type", "application/octet-stream")], timeout: Self.uploadTimeout)
        line.clear()
        return try answer.decode(JoistAPI.Operation.self)
    }
}

/// A file's bytes as a stream of 1 MiB buffers, read as the upload consumes them; `sent` learns the
/// bytes handed over so far.
struct FileChunks: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    static let chunkSize = 1 << 20

    let path: String
    let sent: @Sendable (UInt64) -> Void

    static func size(of path: String) throws -> UInt64 {
        var info = stat()
        guard stat(path, &info) == 0 else { throw CLIError("cannot read \(path): \(String(cString: strerror(errno)))") }
        return UInt64(info.st_size)
    }

    func makeAsyncIterator() -> Iterator { Iterator(path: path, sent: sent) }

    final class Iterator: AsyncIteratorProtocol {
        private let path: String
        private let sent: @Sendable (UInt64) -> Void
        private var fd: Int32 = -1
        private var done: UInt64 = 0
        private var finished = false

        init(path: String, sent: @escaping @Sendable (UInt64) -> Void) {
            self.path = path
            self.sent = sent
        }

        deinit { if fd >= 0 { close(fd) } }

        func next() async throws -> ByteBuffer? {
            guard !finished else { return nil }
            if fd < 0 {
                fd = open(path, O_RDONLY | O_CLOEXEC)
                guard fd >= 0 else { throw CLIError("cannot open \(path): \(String(cString: strerror(errno)))") }
            }
            var buffer = ByteBuffer()
            let got = try buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: FileChunks.chunkSize) { pointer in
                let count = read(fd, pointer.baseAddress, FileChunks.chunkSize)
                guard count >= 0 else { throw CLIError("cannot read \(path): \(String(cString: strerror(errno)))") }
                return count
            }
            guard got > 0 else {
                finished = true
                return nil
            }
            done += UInt64(got)
            sent(done)
            return buffer
        }
    }
}

/// `Uploading disk.qcow2 [#####-----] 50% 512MiB of 1GiB` on standard error, when it is a terminal.
final class UploadProgressLine: Sendable {
    private let name: String
    private let total: UInt64
    private let shown: Bool
    /// The last percentage drawn, so the line is redrawn only when it changes.
    private let lastPercent = Mutex(-1)

    init(name: String, total: UInt64, shown: Bool = isatty(STDERR_FILENO) == 1) {
        self.name = name
        self.total = total
        self.shown = shown
    }

    func update(_ sent: UInt64) {
        guard shown else { return }
        let fraction = total == 0 ? 1 : min(Double(sent) / Double(total), 1)
        let percent = Int((fraction * 100).rounded(.down))
        guard lastPercent.withLock({ last in defer { last = percent }; return last != percent }) else { return }
        FileHandle.standardError.write(Data(("\r\u{1B}[K" + Self.line(name: name, sent: sent, total: total)).utf8))
    }

    func clear() {
        if shown { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }

    static func line(name: String, sent: UInt64, total: UInt64, width: Int = 30) -> String {
        let fraction = total == 0 ? 1 : min(Double(sent) / Double(total), 1)
        let filled = Int((fraction * Double(width)).rounded())
        return "Uploading \(name) [" + String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled) + "] "
            + "\(Int((fraction * 100).rounded(.down)))% \(Human.bytes(sent)) of \(Human.bytes(total))"
    }
}
