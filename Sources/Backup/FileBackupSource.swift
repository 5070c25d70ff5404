import Foundation
import JoistCore

/// A raw disk image file as a backup source: for stopped instances with raw volumes and for tests.
/// Knows no changes (`changedExtents` is nil), so every backup of it reads it whole.
public struct FileBackupSource: BackupSource {
    public let path: String
    public let size: UInt64
    private let file: FileHandleBox

    /// Opens the file read-only; its current length is the disk's size.
    public init(path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw DurableFile.failure("open", path) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            close(fd)
            throw DurableFile.failure("inspect", path)
        }
        self.path = path
        self.size = UInt64(info.st_size)
        self.file = FileHandleBox(fd: fd)
    }

    public func changedExtents() async throws -> [DiskExtent]? { nil }

    public func read(offset: UInt64, length: Int) async throws -> [UInt8] {
        let fd = file.fd, path = self.path
        return try await BlockingWork.run {
            try [UInt8](unsafeUninitializedCapacity: length) { buffer, initialized in
                guard let base = buffer.baseAddress else { return }
                try MappedImageSource.readFully(fd, into: base, count: length, at: offset, path: path)
                initialized = length
            }
        }
    }
}

/// Closes the descriptor when the last copy of the source goes away.
final class FileHandleBox: Sendable {
    let fd: Int32
    init(fd: Int32) { self.fd = fd }
    deinit { close(fd) }
}
