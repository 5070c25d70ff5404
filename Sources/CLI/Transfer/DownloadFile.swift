import Foundation

/// A file being downloaded: written under a temporary name beside its destination
/// (`.joist-tmp-<16 hex digits>-NAME`, as joistd names its own), moved into place by `commit`, removed
/// by `discard`. The destination never holds a partial file.
final class DownloadFile {
    let destination: String
    let temporary: String
    private var descriptor: Int32

    /// Creates the temporary (owner-only until committed); refuses an existing destination unless
    /// `replacing`.
    init(destination: String, replacing: Bool) throws {
        self.destination = destination
        if !replacing && FileManager.default.fileExists(atPath: destination) {
            throw CLIError("\(destination) exists already; pass --force to replace it")
        }
        let url = URL(fileURLWithPath: destination)
        let random = String(UInt64.random(in: .min ... .max), radix: 16)
        let name = ".joist-tmp-" + String(repeating: "0", count: 16 - random.count) + random + "-" + url.lastPathComponent
        temporary = url.deletingLastPathComponent().appending(path: name).path
        descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw CLIError("cannot create \(temporary): \(String(cString: strerror(errno)))") }
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
    }

    /// Appends `bytes`.
    func write(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            guard let base = bytes.baseAddress else { return }
            let written = Foundation.write(descriptor, base + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw CLIError("cannot write \(temporary): \(String(cString: strerror(errno)))")
            }
            offset += written
        }
    }

    /// Moves the complete file into place: replacing whatever is there when `replacing`, else only if
    /// the name is still free (`link` fails rather than replace).
    func commit(replacing: Bool) throws {
        fchmod(descriptor, 0o644 & ~Self.umask)
        guard fsync(descriptor) == 0 else { throw CLIError("cannot write \(temporary): \(String(cString: strerror(errno)))") }
        close(descriptor)
        descriptor = -1
        if replacing {
            guard rename(temporary, destination) == 0 else { throw CLIError("cannot move the download to \(destination): \(String(cString: strerror(errno)))") }
            return
        }
        guard link(temporary, destination) == 0 else {
            let reason = errno == EEXIST ? "it exists already; pass --force to replace it" : String(cString: strerror(errno))
            throw CLIError("cannot move the download to \(destination): \(reason)")
        }
        unlink(temporary)
    }

    /// Removes the temporary.
    func discard() {
        if descriptor >= 0 {
            close(descriptor)
            descriptor = -1
        }
        unlink(temporary)
    }

    /// The process's file creation mask.
    private static var umask: mode_t {
        let mask = Foundation.umask(0o022)
        Foundation.umask(mask)
        return mask
    }
}
