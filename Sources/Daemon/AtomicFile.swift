import Foundation
import JoistCore

/// Writes files so a reader sees either the old or the new content, never half of one: a temporary
/// file beside the target, renamed over it. No `fsync`: these files mirror state that is durable
/// elsewhere (the store), and a rename over an existing file is ordered after its data on ext4 and btrfs.
public enum AtomicFile {
    public static func write(_ data: Data, to path: String) throws {
        let temp = path + ".tmp"
        let descriptor = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw POSIXError.current() }
        var failure: POSIXError?
        data.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Foundation.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    failure = .current()
                    return
                }
                offset += written
            }
        }
        close(descriptor)
        if failure == nil, rename(temp, path) != 0 { failure = .current() }
        if let failure {
            unlink(temp)
            throw failure
        }
    }
}
