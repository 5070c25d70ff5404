import Foundation
import JoistCore

/// Where a restore writes one disk. Chunks arrive in disk order; zero chunks are not written
/// (the target starts out as zeros).
public protocol RestoreTarget: Sendable {
    /// Makes the target `size` bytes of zeros.
    func begin(size: UInt64) async throws
    /// Writes `bytes` at `offset`.
    func write(_ bytes: [UInt8], at offset: UInt64) async throws
    /// Makes what was written durable.
    func finish() async throws
}

/// A new raw image file: sparse where the backup had zero chunks. Refuses a path that exists, so a
/// restore never overwrites a file by mistake.
public final class RawFileRestoreTarget: RestoreTarget {
    public let path: String
    /// Whether `finish` makes the file durable; false for a file that is only a step on the way
    /// (converted to another format and deleted), whose flush would only cost time.
    public let durable: Bool
    private let file: FileHandleBox

    public init(path: String, durable: Bool = true) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            if errno == EEXIST { throw JoistError.alreadyExists("\(path) exists; restore writes a new file") }
            throw DurableFile.failure("create", path)
        }
        self.path = path
        self.durable = durable
        self.file = FileHandleBox(fd: fd)
    }

    public func begin(size: UInt64) async throws {
        guard ftruncate(file.fd, off_t(size)) == 0 else { throw DurableFile.failure("size", path) }
    }

    public func write(_ bytes: [UInt8], at offset: UInt64) async throws {
        let fd = file.fd, path = self.path
        try await BlockingWork.run {
            try bytes.withUnsafeBytes { buffer in
                guard let base = buffer.baseAddress else { return }
                var done = 0
                while done < buffer.count {
                    let written = pwrite(fd, base + done, buffer.count - done, off_t(offset) + off_t(done))
                    if written < 0 {
                        if errno == EINTR { continue }
                        throw DurableFile.failure("write", path)
                    }
                    done += written
                }
            }
        }
    }

    public func finish() async throws {
        guard durable else { return }
        let fd = file.fd, path = self.path
        try await BlockingWork.run { guard fsync(fd) == 0 else { throw DurableFile.failure("flush", path) } }
    }
}
