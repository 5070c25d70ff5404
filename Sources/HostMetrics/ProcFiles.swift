import Foundation

/// What this module asks of the host besides `/proc` files, which its callers read whole with
/// `HostKit.KernelFile` and hand to the parsers. The only I/O in this module.
public enum ProcFiles {
    /// Clock ticks per second of `/proc` CPU times.
    public static var ticksPerSecond: Double {
        let ticks = sysconf(Int32(_SC_CLK_TCK))
        return ticks > 0 ? Double(ticks) : 100
    }

    /// Seconds on the monotonic clock, for rates that must not jump with the wall clock.
    public static func monotonicSeconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1_000_000_000
    }

    /// Size, used and available bytes of the file system holding `path` (`statvfs`): available is
    /// what unprivileged users may still write (`f_bavail`), used is what is taken (`f_blocks - f_bfree`).
    public static func filesystemUsage(_ path: String) -> (total: UInt64, used: UInt64, available: UInt64)? {
        var info = statvfs()
        guard statvfs(path, &info) == 0 else { return nil }
        let block = UInt64(info.f_frsize)
        let total = UInt64(info.f_blocks) * block
        let used = (UInt64(info.f_blocks) - UInt64(info.f_bfree)) * block
        return (total, used, UInt64(info.f_bavail) * block)
    }
}
