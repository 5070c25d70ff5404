import Foundation
import JoistCore

/// The store's `lock` file, held with `flock`: backups, restores and verifies share it; gc takes it
/// alone. So gc never deletes a chunk that a backup being written has just found already stored (and
/// is about to name in its manifest), whichever process writes it.
///
/// `flock` locks belong to the open file, so two holders in one process exclude each other just as
/// two processes do, and the kernel drops the lock when the holder dies (a killed backup never
/// leaves the store locked).
final class StoreLock: Sendable {
    private let fd: Int32

    private init(fd: Int32) { self.fd = fd }

    deinit { close(fd) }

    /// A shared hold, waiting while gc runs. Blocks: call it off the cooperative pool.
    static func shared(_ layout: BackupStoreLayout) throws -> StoreLock {
        let lock = try StoreLock(fd: openLockFile(layout))
        while flock(lock.fd, LOCK_SH) != 0 {
            guard errno == EINTR else { throw DurableFile.failure("lock", layout.lockFile) }
        }
        return lock
    }

    /// The exclusive hold, or `invalidState` at once when a backup, restore or verify holds the store.
    static func exclusive(_ layout: BackupStoreLayout) throws -> StoreLock {
        let lock = try StoreLock(fd: openLockFile(layout))
        while flock(lock.fd, LOCK_EX | LOCK_NB) != 0 {
            if errno == EINTR { continue }
            if errno == EWOULDBLOCK {
                throw JoistError.invalidState(
                    "backup store \(layout.root) is in use (a backup, restore or verify is running); run gc again when it ends")
            }
            throw DurableFile.failure("lock", layout.lockFile)
        }
        return lock
    }

    private static func openLockFile(_ layout: BackupStoreLayout) throws -> Int32 {
        let fd = open(layout.lockFile, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw DurableFile.failure("open", layout.lockFile) }
        return fd
    }
}
