import Foundation
import JoistCore

/// Copies a file by sharing its extents (the `FICLONE` ioctl): instant and taking no space until
/// either copy is written, on file systems that can (btrfs, xfs with reflink, bcachefs).
enum Reflink {
    /// `FICLONE`: `_IOW(0x94, 9, int)`.
    private static let ficlone: UInt = 0x4004_9409

    /// Creates `destination` as a reflink copy of `source` and returns true; returns false, leaving
    /// no `destination`, when the file system cannot share extents between them.
    static func copy(_ source: String, to destination: String) throws(JoistError) -> Bool {
        let input = open(source, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else {
            throw .hostFailure("cannot open \(source): \(String(cString: strerror(errno)))")
        }
        defer { close(input) }
        let output = open(destination, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard output >= 0 else {
            throw .hostFailure("cannot create \(destination): \(String(cString: strerror(errno)))")
        }
        let cloned = ioctl(output, ficlone, input) == 0
        let failure = errno
        close(output)
        if cloned { return true }
        unlink(destination)
        if unsupportedErrors.contains(failure) { return false }
        let reason = String(cString: strerror(failure))
        throw .hostFailure("cannot copy \(source) to \(destination): \(reason)")
    }

    /// What `FICLONE` answers when the file systems cannot share extents (rather than a real failure).
    private static let unsupportedErrors: Set<Int32> = [EOPNOTSUPP, ENOTTY, EXDEV, EINVAL, ENOSYS]
}
