import Foundation
import JoistCore

/// The rules for a backup store's folder (the same as a pool's: absolute and normalized), and the
/// space of the filesystem it is on.
enum BackupStorePath {
    static func validate(_ path: String) throws(JoistError) -> String {
        do {
            return try PoolPath.validate(path)
        } catch {
            throw JoistError(error.code, error.message.replacingOccurrences(of: "pool path", with: "backup store path").replacingOccurrences(of: "a pool", with: "a backup store"))
        }
    }

    /// Capacity and free bytes of the filesystem holding `path`; zeros when it cannot be read.
    static func space(of path: String) -> (capacity: UInt64, free: UInt64) {
        var info = statvfs()
        guard statvfs(path, &info) == 0 else { return (0, 0) }
        let block = UInt64(info.f_frsize)
        return (UInt64(info.f_blocks) * block, UInt64(info.f_bavail) * block)
    }
}
