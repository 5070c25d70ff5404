import Foundation

/// Reads and signals host processes by pid.
///
/// A daemonized process (QEMU, dnsmasq) is re-parented to PID 1, which may reap it late: a dead one
/// can linger as a zombie for a second or more and `kill(pid, 0)` still succeeds on it. So liveness
/// reads `/proc/PID/stat` and treats state `Z` as dead (a zombie has closed its files and sockets), and
/// checks the command's name so a recycled pid is never mistaken for ours.
public enum HostProcess {
    /// Whether `pid` is a live (non-zombie) process whose executable name contains `nameHint`
    /// (any name when nil).
    public static func isAlive(_ pid: Int32, nameHint: String? = "qemu") -> Bool {
        guard pid > 0, let stat = KernelFile.text("/proc/\(pid)/stat") else {
            return false
        }
        // Format: "PID (COMM) STATE ..."; COMM may contain spaces or parentheses, so split at the last ')'.
        guard let open = stat.firstIndex(of: "("), let close = stat.lastIndex(of: ")") else { return false }
        let comm = stat[stat.index(after: open)..<close]
        let rest = stat[stat.index(after: close)...].split(separator: " ")
        guard let state = rest.first else { return false }
        return state != "Z" && state != "X" && (nameHint.map { comm.contains($0) } ?? true)
    }

    /// Sends SIGKILL; a process already gone is not an error.
    public static func kill(_ pid: Int32) {
        guard pid > 0 else { return }
        _ = Glibc.kill(pid, SIGKILL)
    }

    /// Waits until `pid` is dead or a zombie, polling, up to `timeout`. Returns whether it died.
    public static func waitForExit(_ pid: Int32, timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if !isAlive(pid) { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return !isAlive(pid)
    }
}
