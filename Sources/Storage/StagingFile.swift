import Crypto
import Foundation
public import JoistCore

/// A file being received for the image store (an upload, a download, a copy), written under
/// `STATE/staging/` and hashed with SHA-256 as its bytes arrive, so nothing is ever held in memory
/// or read twice.
///
/// The file system's free space is checked before the first byte (against the expected size, when
/// known) and again every `checkInterval` bytes: a transfer that would leave less than `reserve`
/// free stops with `invalidState`. A staging file not `finish`ed is removed when it is discarded or
/// released, so a failed or cancelled transfer leaves nothing behind; a crash leaves it in
/// `STATE/staging/`, which `ImageFiles.sweep` empties at the next start.
///
/// Writes are plain `write(2)` calls on the caller's thread: they land in the page cache, so they
/// take microseconds per chunk, and the hashing beside them costs more.
public final class StagingFile {
    /// Bytes between two free-space checks.
    public static let checkInterval: UInt64 = 64 << 20

    public let path: String
    /// Bytes written so far.
    public private(set) var size: UInt64 = 0
    private let reserve: UInt64
    private var fd: Int32
    private var hasher = SHA256()
    private var nextCheck: UInt64 = StagingFile.checkInterval

    /// Creates the file at `path` (which must not exist); refuses when `expectedSize` more bytes would
    /// leave less than `reserve` free.
    public init(path: String, expectedSize: UInt64?, reserve: UInt64) throws(JoistError) {
        self.path = path
        self.reserve = reserve
        try Self.checkSpace(at: (path as NSString).deletingLastPathComponent, needs: expectedSize ?? 0, reserve: reserve)
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .hostFailure("cannot create \(path): \(String(cString: strerror(errno)))") }
    }

    deinit {
        if fd >= 0 {
            close(fd)
            unlink(path)
        }
    }

    /// Appends `bytes` and feeds them to the hash. A chunk of zeroes is skipped over rather than
    /// written, so a sparse raw image stays sparse on disk.
    public func write(_ bytes: UnsafeRawBufferPointer) throws(JoistError) {
        guard fd >= 0 else { throw .invalidState("the staging file \(path) is closed") }
        hasher.update(bufferPointer: bytes)
        if Self.isZero(bytes) {
            guard lseek(fd, off_t(bytes.count), SEEK_CUR) >= 0 else {
                throw .hostFailure("cannot write \(path): \(String(cString: strerror(errno)))")
            }
        } else {
            try writeAll(bytes)
        }
        size += UInt64(bytes.count)
        if size >= nextCheck {
            nextCheck = size + Self.checkInterval
            try Self.checkSpace(at: (path as NSString).deletingLastPathComponent, needs: 0, reserve: reserve)
        }
    }

    private func writeAll(_ bytes: UnsafeRawBufferPointer) throws(JoistError) {
        var offset = 0
        while offset < bytes.count {
            let written = Glibc.write(fd, bytes.baseAddress.map { $0 + offset }, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                let reason = errno == ENOSPC ? "the file system is full" : String(cString: strerror(errno))
                throw .hostFailure("cannot write \(path): \(reason)")
            }
            offset += written
        }
    }

    /// Whether every byte is zero, checked eight at a time.
    static func isZero(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let words = bytes.count / 8
        for index in 0..<words where bytes.loadUnaligned(fromByteOffset: index * 8, as: UInt64.self) != 0 { return false }
        for index in (words * 8)..<bytes.count where bytes[index] != 0 { return false }
        return true
    }

    /// Appends `bytes` and feeds them to the hash.
    public func write(_ bytes: some ContiguousBytes) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }

    /// Flushes the file to disk and closes it; returns what was received. The file stays, for the
    /// caller to move into the store (or remove).
    public func finish() throws(JoistError) -> StagedFile {
        guard fd >= 0 else { throw .invalidState("the staging file \(path) is closed") }
        // Zeroes at the end were skipped over: the length says they are there.
        let synced = ftruncate(fd, off_t(size)) == 0 && fsync(fd) == 0
        let reason = String(cString: strerror(errno))
        close(fd)
        fd = -1
        guard synced else {
            unlink(path)
            throw .hostFailure("cannot write \(path) to disk: \(reason)")
        }
        return StagedFile(path: path, fingerprint: Hex.lowercase(hasher.finalize()), size: size)
    }

    /// Closes and removes the file.
    public func discard() {
        guard fd >= 0 else { return }
        close(fd)
        fd = -1
        unlink(path)
    }

    /// Refuses (`invalidState`) when `needs` more bytes would leave less than `reserve` free.
    static func checkSpace(at folder: String, needs: UInt64, reserve: UInt64) throws(JoistError) {
        let free = try Filesystem.space(of: folder).free
        let (wanted, overflow) = needs.addingReportingOverflow(reserve)
        guard overflow || free < wanted else { return }
        let need = needs > 0 ? "the image needs \(readable(needs)) and " : ""
        throw .invalidState(
            "cannot receive the image: the file system of \(folder) has \(readable(free)) free; \(need)imports keep \(readable(reserve)) free")
    }

    /// `3.1GiB`, `640MiB`: free space as people read it (JoistAPI's `approximate` is out of reach here).
    static func readable(_ bytes: UInt64) -> String {
        let units: [(String, UInt64)] = [("TiB", 1 << 40), ("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)]
        guard let (suffix, factor) = units.first(where: { bytes >= $0.1 }) else { return "\(bytes)B" }
        let tenths = Int((Double(bytes) / Double(factor) * 10).rounded())
        return tenths % 10 == 0 ? "\(tenths / 10)\(suffix)" : "\(tenths / 10).\(tenths % 10)\(suffix)"
    }
}

/// A file received in full: where it is, the SHA-256 of its bytes, and how many there were.
public struct StagedFile: Sendable, Equatable {
    public var path: String
    /// Lowercase hex SHA-256.
    public var fingerprint: String
    public var size: UInt64

    public init(path: String, fingerprint: String, size: UInt64) {
        self.path = path
        self.fingerprint = fingerprint
        self.size = size
    }
}
