import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes secrets (private keys, tokens) so that no other user can ever read them, not even for a moment.
///
/// `Data.write(options: .atomic)` creates its temporary file with the umask's mode and only then could
/// be chmod-ed; here the temporary file is born 0600 (`mkstemp`), filled, synced and renamed over the
/// target, so readers see either the old file or the whole new one.
public enum OwnerOnlyFiles {
    /// Creates `path` and missing parents; directories created here get `mode` (0700 by default).
    /// An existing directory is left as it is.
    public static func createDirectory(_ path: String, mode: mode_t = 0o700) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw JoistTLSError(.fileSystem, "cannot use \(path) as a directory: it is a file")
            }
            return
        }
        let parent = (path as NSString).deletingLastPathComponent
        if !parent.isEmpty, parent != path {
            try Self.createDirectory(parent, mode: mode)
        }
        guard mkdir(path, mode) == 0 || errno == EEXIST else {
            throw JoistTLSError(.fileSystem, "cannot create directory \(path): \(Self.lastError())")
        }
        // mkdir's mode is filtered by the umask; say exactly what we mean.
        _ = chmod(path, mode)
    }

    /// Replaces `path` atomically with `contents`, readable and writable by the owner only (or `mode`).
    public static func write(_ contents: some Collection<UInt8>, to path: String, mode: mode_t = 0o600) throws {
        let directory = (path as NSString).deletingLastPathComponent
        var template = Array((directory.isEmpty ? "." : directory).utf8CString.dropLast())
        template += Array("/.\((path as NSString).lastPathComponent).XXXXXX".utf8CString)
        let descriptor = mkstemp(&template)
        guard descriptor >= 0 else {
            throw JoistTLSError(.fileSystem, "cannot write \(path): \(Self.lastError())")
        }
        let temporary = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        do {
            defer { close(descriptor) }
            try Self.writeAll(Array(contents), to: descriptor, path: path)
            guard fchmod(descriptor, mode) == 0, fsync(descriptor) == 0 else {
                throw JoistTLSError(.fileSystem, "cannot write \(path): \(Self.lastError())")
            }
        } catch {
            unlink(temporary)
            throw error
        }
        guard rename(temporary, path) == 0 else {
            let reason = Self.lastError()
            unlink(temporary)
            throw JoistTLSError(.fileSystem, "cannot write \(path): \(reason)")
        }
    }

    private static func writeAll(_ bytes: [UInt8], to descriptor: Int32, path: String) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { raw in
                systemWrite(descriptor, raw.baseAddress.map { $0 + offset }, raw.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                throw JoistTLSError(.fileSystem, "cannot write \(path): \(Self.lastError())")
            }
            offset += written
        }
    }

    private static func lastError() -> String { String(cString: strerror(errno)) }
}

/// `write(2)`, under a name that the enum's own `write` does not shadow.
private func systemWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int {
    write(descriptor, buffer, count)
}
