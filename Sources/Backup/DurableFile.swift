import Foundation
import JoistCore

/// File writes that survive a crash whole or not at all: write a temporary file, `fsync` it, rename it
/// into place, `fsync` the folder. After `write` returns, the file is on disk under its name with all
/// its bytes; before, it is not there at all (a crash leaves at most a temporary in the store's `tmp/`).
enum DurableFile {
    /// Writes `bytes` to `path` durably, staging them in `temporaryFolder` (same filesystem). With
    /// `replacing` false, an existing file at `path` is kept and `false` returned: two writers of the
    /// same content-addressed chunk then agree on which one stored it.
    @discardableResult
    static func write(_ bytes: UnsafeRawBufferPointer, to path: String, temporaryFolder: String, replacing: Bool = true) throws -> Bool {
        let temporary = temporaryFolder + "/" + UUID().uuidString.lowercased()
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw failure("create", temporary) }
        do {
            try writeAll(fd, bytes, path: temporary)
            guard fsync(fd) == 0 else { throw failure("flush", temporary) }
            close(fd)
        } catch {
            close(fd)
            unlink(temporary)
            throw error
        }
        defer { unlink(temporary) }
        if replacing {
            guard rename(temporary, path) == 0 else { throw failure("rename into place as", path) }
        } else if link(temporary, path) != 0 {
            // `link` never replaces: EEXIST means another writer put the same name in place first.
            if errno == EEXIST { return false }
            // Filesystems without hard links: rename (which replaces an identical file, harmlessly).
            guard errno == EPERM || errno == ENOTSUP || errno == EOPNOTSUPP, rename(temporary, path) == 0 else {
                throw failure("move into place as", path)
            }
        }
        try syncFolder((path as NSString).deletingLastPathComponent)
        return true
    }

    @discardableResult
    static func write(_ bytes: [UInt8], to path: String, temporaryFolder: String, replacing: Bool = true) throws -> Bool {
        try bytes.withUnsafeBytes { try write($0, to: path, temporaryFolder: temporaryFolder, replacing: replacing) }
    }

    /// Writes `bytes` to a new temporary file in `temporaryFolder` and starts writing it back to disk
    /// without waiting for it (`place` waits), so the disk works while the caller computes the next
    /// file. Returns the temporary's path; nothing is visible under a real name yet.
    static func stage(_ bytes: UnsafeRawBufferPointer, temporaryFolder: String) throws -> String {
        let temporary = temporaryFolder + "/" + UUID().uuidString.lowercased()
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw failure("create", temporary) }
        defer { close(fd) }
        do {
            try writeAll(fd, bytes, path: temporary)
        } catch {
            unlink(temporary)
            throw error
        }
        // Starts write-back of the dirty pages now (and drops them from the cache once written: a
        // backup's chunks are not read again soon). Advice only: `place` is what makes them durable.
        _ = posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED)
        return temporary
    }

    /// Makes a staged temporary durable (`fsync`) and only then links it in place at `path`, never
    /// replacing a file there: returns false when another writer put the same name in place first.
    /// The temporary is removed either way. The folder is not synced: the caller syncs each folder
    /// once for many files (`syncFolder`) before anything that relies on the names being durable.
    static func place(_ temporary: String, at path: String) throws -> Bool {
        defer { unlink(temporary) }
        let fd = open(temporary, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw failure("open", temporary) }
        let synced = fsync(fd) == 0
        // Now clean, its pages leave the cache: the next chunks reuse them rather than growing the
        // cache by a whole backup's worth (which would push out the hosts' and guests' hot data).
        if synced { _ = posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED) }
        close(fd)
        guard synced else { throw failure("flush", temporary) }
        if link(temporary, path) == 0 { return true }
        if errno == EEXIST { return false }
        // Filesystems without hard links: rename (which replaces an identical file, harmlessly).
        guard errno == EPERM || errno == ENOTSUP || errno == EOPNOTSUPP, rename(temporary, path) == 0 else {
            throw failure("move into place as", path)
        }
        return true
    }

    /// Makes a folder's entries (a rename, a new file or subfolder) durable.
    static func syncFolder(_ path: String) throws {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw failure("open folder", path) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw failure("flush folder", path) }
    }

    /// The whole file at `path`, or nil when it does not exist.
    static func read(_ path: String, limit: Int) throws -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw failure("open", path)
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw failure("inspect", path) }
        let size = Int(info.st_size)
        guard size <= limit else { throw JoistError.invalidState("\(path) is \(size) bytes, more than the \(limit) expected") }
        var bytes = [UInt8](repeating: 0, count: size)
        var done = 0
        try bytes.withUnsafeMutableBytes { buffer in
            guard let base = buffer.baseAddress else { return }
            while done < size {
                let got = pread(fd, base + done, size - done, off_t(done))
                if got < 0 {
                    if errno == EINTR { continue }
                    throw failure("read", path)
                }
                if got == 0 { break }
                done += got
            }
        }
        return done == size ? bytes : Array(bytes.prefix(done))
    }

    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws {
        guard let base = bytes.baseAddress else { return }
        var offset = 0
        while offset < bytes.count {
            let written = Foundation.write(fd, base + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw failure("write", path)
            }
            offset += written
        }
    }

    static func failure(_ action: String, _ path: String) -> JoistError {
        .hostFailure("cannot \(action) \(path): \(String(cString: strerror(errno)))")
    }
}
