import Foundation
import JoistCore

/// The files `LinuxHostNetwork` writes: dnsmasq's, replaced atomically, and nft scripts in a
/// private folder of their own.
enum NetworkFiles {
    /// The file's text, or nil when it does not exist or is not UTF-8.
    static func read(_ path: String) -> String? {
        try? String(contentsOfFile: path, encoding: .utf8)
    }

    /// Replaces `path` with `text` in one step (a temporary file in the same folder, then
    /// `rename`), so a reader sees the old file or the new one, never half of one. `mode` is set
    /// exactly, whatever the umask.
    static func writeAtomically(_ text: String, to path: String, mode: mode_t) throws(JoistError) {
        let temporary = path + ".tmp-" + Hex.lowercase((0..<6).map { _ in UInt8.random(in: 0...255) })
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw failure("create", temporary) }
        let finished = writeAll(Array(text.utf8), to: fd) && fchmod(fd, mode) == 0 && fsync(fd) == 0
        let writeError = finished ? nil : failure("write", temporary)
        close(fd)
        if finished, rename(temporary, path) == 0 { return }
        let error = writeError ?? failure("rename \(temporary) to", path)
        unlink(temporary)
        throw error
    }

    private static func writeAll(_ bytes: [UInt8], to fd: Int32) -> Bool {
        bytes.withUnsafeBytes { buffer in
            guard let base = buffer.baseAddress else { return true }
            var offset = 0
            while offset < buffer.count {
                let count = Glibc.write(fd, base + offset, buffer.count - offset)
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { return false }
                offset += count
            }
            return true
        }
    }

    /// Runs `body` with the path of a file holding `text` (mode 0600) in a new folder only root can
    /// read (mode 0700), and removes both afterwards.
    static func withPrivateFile<T>(_ text: String, name: String, _ body: (String) async throws -> T) async throws -> T {
        var template = Array((FileManager.default.temporaryDirectory.path + "/joist-net-XXXXXX").utf8CString)
        let folder = template.withUnsafeMutableBufferPointer { buffer in
            buffer.baseAddress.flatMap { mkdtemp($0) }.map { String(cString: $0) }
        }
        guard let folder else { throw failure("create a private folder in", FileManager.default.temporaryDirectory.path) }
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/" + name
        try writeAtomically(text, to: path, mode: 0o600)
        return try await body(path)
    }

    private static func failure(_ action: String, _ path: String) -> JoistError {
        .hostFailure("cannot \(action) \(path): \(String(cString: strerror(errno)))")
    }
}
