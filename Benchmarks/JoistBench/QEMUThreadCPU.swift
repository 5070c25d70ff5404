import Foundation

/// Host CPU seconds of QEMU processes, split by thread: the vCPU threads (named `CPU N/TCG` with
/// `debug-threads=on`, which joistd passes) run the guest; every other thread (the main loop, where
/// user-mode networking's slirp and the tap backend's reads and writes run, and I/O helpers) is what
/// the network backend costs the host beyond the guest itself.
struct QEMUThreadCPU {
    var vCPUSeconds = 0.0
    var otherSeconds = 0.0

    /// The sums over every thread of the processes `pids`.
    static func of(_ pids: [Int32]) throws -> QEMUThreadCPU {
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        var total = QEMUThreadCPU()
        for pid in pids {
            let tasks = "/proc/\(pid)/task"
            guard let threads = try? FileManager.default.contentsOfDirectory(atPath: tasks) else {
                throw BenchError("cannot list the threads of a guest's QEMU (\(tasks))")
            }
            for thread in threads {
                // A thread that ended in between is simply not counted again.
                guard let stat = try? String(contentsOfFile: "\(tasks)/\(thread)/stat", encoding: .utf8) else { continue }
                let (name, seconds) = try parse(stat, ticks: ticks)
                if name.hasPrefix("CPU ") { total.vCPUSeconds += seconds } else { total.otherSeconds += seconds }
            }
        }
        return total
    }

    /// The thread's name and utime + stime from a `stat` line: `TID (NAME) STATE …`, where utime and
    /// stime are the 14th and 15th fields and NAME may hold spaces and parentheses.
    static func parse(_ stat: String, ticks: Double) throws -> (name: String, seconds: Double) {
        guard let open = stat.firstIndex(of: "("), let close = stat.lastIndex(of: ")") else {
            throw BenchError("cannot parse a QEMU thread's stat: \(stat)")
        }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else {
            throw BenchError("cannot parse a QEMU thread's stat: \(stat)")
        }
        return (String(stat[stat.index(after: open)..<close]), (user + system) / ticks)
    }

    static func - (after: QEMUThreadCPU, before: QEMUThreadCPU) -> QEMUThreadCPU {
        QEMUThreadCPU(vCPUSeconds: after.vCPUSeconds - before.vCPUSeconds, otherSeconds: after.otherSeconds - before.otherSeconds)
    }
}
