import Foundation
import JoistCore

/// The few file system calls the storage drivers need, with errors a user can act on.
enum Filesystem {
    /// `f_type` of btrfs (`BTRFS_SUPER_MAGIC`).
    static let btrfsMagic = 0x9123_683E

    /// Capacity and space free for unprivileged use of the file system holding `path` (`statvfs`).
    static func space(of path: String) throws(JoistError) -> FilesystemSpace {
        var info = statvfs()
        guard statvfs(path, &info) == 0 else {
            throw .hostFailure("cannot read the free space of \(path): \(String(cString: strerror(errno)))")
        }
        let block = UInt64(info.f_frsize)
        return FilesystemSpace(capacity: UInt64(info.f_blocks) * block, free: UInt64(info.f_bavail) * block)
    }

    /// The `f_type` magic number of the file system holding `path` (`statfs`).
    static func typeMagic(of path: String) throws(JoistError) -> Int {
        guard let statfs = statfsFunction else {
            throw JoistError(.unsupported, "cannot tell which file system holds \(path): statfs is unavailable")
        }
        // `struct statfs` is 120 bytes on 64-bit Linux and starts with `f_type` (a long); the buffer
        // leaves room for any layout.
        var buffer = [Int](repeating: 0, count: 64)
        let result = buffer.withUnsafeMutableBytes { statfs(path, $0.baseAddress) }
        guard result == 0 else {
            throw .hostFailure("cannot tell which file system holds \(path): \(String(cString: strerror(errno)))")
        }
        return buffer[0]
    }

    /// glibc's `statfs`, which Swift's Glibc module does not export (its header is `sys/vfs.h`).
    private typealias StatFS = @convention(c) (UnsafePointer<CChar>, UnsafeMutableRawPointer?) -> Int32
    private static let statfsFunction: StatFS? = symbol("statfs", as: StatFS.self)

    /// Renames `source` to `destination` unless something is there already (`renameat2` with
    /// `RENAME_NOREPLACE`), so putting a finished volume in place can never replace another one.
    /// Throws `alreadyExists` when the name is taken.
    static func renameNoReplace(_ source: String, to destination: String, what: String) throws(JoistError) {
        let taken = JoistError.alreadyExists("cannot create \(what): \(destination) exists already")
        let result: Int32
        if let renameat2 = renameat2Function {
            result = renameat2(AT_FDCWD, source, AT_FDCWD, destination, renameNoReplaceFlag)
            if result != 0 && errno == EEXIST { throw taken }
        } else {
            // Without renameat2 (glibc before 2.28) the check and the rename are two steps.
            guard !exists(destination) else { throw taken }
            result = rename(source, destination)
        }
        guard result == 0 else {
            throw .hostFailure("cannot move \(what) into place at \(destination): \(String(cString: strerror(errno)))")
        }
    }

    private static let renameNoReplaceFlag: UInt32 = 1
    private typealias Renameat2 = @convention(c) (Int32, UnsafePointer<CChar>, Int32, UnsafePointer<CChar>, UInt32) -> Int32
    private static let renameat2Function: Renameat2? = symbol("renameat2", as: Renameat2.self)

    private static func symbol<T>(_ name: String, as type: T.Type) -> T? {
        guard let pointer = dlsym(UnsafeMutableRawPointer(bitPattern: 0), name) else { return nil }
        return unsafeBitCast(pointer, to: type)
    }

    static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR
    }

    static func isRegularFile(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFREG
    }

    /// The names in a folder (none when it does not exist), sorted.
    static func entries(of folder: String) throws(JoistError) -> [String] {
        guard isDirectory(folder) else { return [] }
        do {
            return try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        } catch {
            throw .hostFailure("cannot list \(folder): \(error.localizedDescription)")
        }
    }

    /// Makes `path` and its missing parents.
    static func makeFolder(_ path: String) throws(JoistError) {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw .hostFailure("cannot create folder \(path): \(error.localizedDescription)")
        }
    }

    /// Removes a file or a folder tree; nothing to do when it is gone already.
    static func remove(_ path: String) throws(JoistError) {
        guard exists(path) else { return }
        do {
            try FileManager.default.removeItem(atPath: path)
        } catch {
            throw .hostFailure("cannot remove \(path): \(error.localizedDescription)")
        }
    }

    /// Removes an empty folder; returns false (and leaves it) when it is not empty or not there.
    @discardableResult
    static func removeEmptyFolder(_ path: String) -> Bool {
        rmdir(path) == 0
    }

    /// `path` itself when it exists, else its closest existing parent.
    static func nearestExisting(_ path: String) -> String {
        var url = URL(fileURLWithPath: path)
        while !exists(url.path), url.path != "/" {
            url.deleteLastPathComponent()
        }
        return url.path
    }
}
