import Foundation

/// Reads the kernel's files (`/proc`, `/sys`) whole.
///
/// Their size shows as 0, and Foundation reads such a file with a single `read`, while the kernel
/// hands a seq file out a page at a time: `String(contentsOfFile:)` of a 9 KiB
/// `/proc/self/mountinfo` returned its first 4 KiB, so mounts past it went unseen. This reads until
/// end of file.
public enum KernelFile {
    /// The file's bytes, or nil when it cannot be opened or read (a process that just exited).
    public static func bytes(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16 << 10)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count > 0 {
                bytes += buffer[..<count]
            } else if count == 0 {
                return bytes
            } else if errno != EINTR {
                return nil
            }
        }
    }

    /// The file's text, or nil when it cannot be read or is not UTF-8.
    public static func text(_ path: String) -> String? {
        bytes(path).flatMap { String(validating: $0, as: UTF8.self) }
    }
}
