/// What the kernel says about one process (a guest's QEMU), parsed from `/proc/PID/stat` and
/// `/proc/PID/status`. Pure, like `HostReadings`.

/// A process's CPU time and identity from `/proc/PID/stat`.
public struct ProcessCPUTimes: Sendable, Equatable {
    /// User plus system time, in clock ticks (`utime` + `stime`, fields 14 and 15).
    public var ticks: UInt64
    /// When the process started, in clock ticks after boot (field 22): with the pid, it tells a
    /// restarted QEMU from the one read before, whose counters must not be subtracted.
    public var startTime: UInt64

    public init(ticks: UInt64, startTime: UInt64) {
        self.ticks = ticks
        self.startTime = startTime
    }

    /// Parses `PID (COMM) STATE PPID …`. COMM may hold spaces and parentheses, so the fields are
    /// counted from the last `)`.
    public static func parse(stat text: String) -> ProcessCPUTimes? {
        guard let close = text.lastIndex(of: ")") else { return nil }
        // After the command come field 3 (state) onwards: field N is at index N - 3.
        let fields = text[text.index(after: close)...].split(whereSeparator: { $0 == " " || $0 == "\n" })
        guard fields.count > 19, let utime = UInt64(fields[11]), let stime = UInt64(fields[12]),
            let start = UInt64(fields[19])
        else { return nil }
        return ProcessCPUTimes(ticks: utime + stime, startTime: start)
    }
}

/// A process's resident memory from `/proc/PID/status`.
public enum ProcessMemory {
    /// `VmRSS:` in bytes; nil when the line is missing (a kernel thread, or a zombie).
    public static func parse(status text: String) -> UInt64? {
        ProcText.keyedKibibytes(text)["VmRSS"]
    }
}
