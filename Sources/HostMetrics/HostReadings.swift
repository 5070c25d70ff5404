import Foundation

/// What the kernel says about the whole host, parsed from the text of `/proc` files. Pure: the
/// parsers take the files' contents, so tests feed them sample texts.

/// The host's CPU time, summed over every core, from the first line of `/proc/stat`.
public struct HostCPUTimes: Sendable, Equatable {
    /// Clock ticks spent doing anything (user, nice, system, irq, softirq, steal). `guest` time is
    /// already inside `user`, so it is not added again.
    public var busy: UInt64
    /// Clock ticks spent idle or waiting for I/O.
    public var idle: UInt64

    public init(busy: UInt64, idle: UInt64) {
        self.busy = busy
        self.idle = idle
    }

    public var total: UInt64 { busy + idle }

    /// Parses `cpu  user nice system idle iowait irq softirq steal guest guest_nice`.
    public static func parse(procStat text: String) -> HostCPUTimes? {
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("cpu ") }) else { return nil }
        let fields = line.split(separator: " ").dropFirst().compactMap { UInt64($0) }
        guard fields.count >= 4 else { return nil }
        let value = { (index: Int) in index < fields.count ? fields[index] : 0 }
        let idle = value(3) + value(4)
        let busy = value(0) + value(1) + value(2) + value(5) + value(6) + value(7)
        return HostCPUTimes(busy: busy, idle: idle)
    }

    /// Percent of all cores busy between `earlier` and `self`; nil when no time passed or a counter
    /// went backwards (never a negative figure).
    public func busyPercent(since earlier: HostCPUTimes) -> Double? {
        guard total > earlier.total, busy >= earlier.busy, idle >= earlier.idle else { return nil }
        return Double(busy - earlier.busy) / Double(total - earlier.total) * 100
    }
}

/// The host's memory from `/proc/meminfo`.
public struct HostMemory: Sendable, Equatable {
    public var totalBytes: UInt64
    /// What new programs could use without swapping (`MemAvailable`: free memory plus reclaimable
    /// caches), the figure `free` shows as available.
    public var availableBytes: UInt64

    public init(totalBytes: UInt64, availableBytes: UInt64) {
        self.totalBytes = totalBytes
        self.availableBytes = availableBytes
    }

    /// Memory in use: total less available.
    public var usedBytes: UInt64 { totalBytes - min(availableBytes, totalBytes) }

    /// Parses `MemTotal:` and `MemAvailable:` (kB, which the kernel means as KiB).
    public static func parse(meminfo text: String) -> HostMemory? {
        let values = ProcText.keyedKibibytes(text)
        guard let total = values["MemTotal"], let available = values["MemAvailable"] else { return nil }
        return HostMemory(totalBytes: total, availableBytes: available)
    }
}

/// The run-queue load averages over 1, 5 and 15 minutes, from `/proc/loadavg`.
public struct LoadAverages: Sendable, Equatable {
    public var one: Double
    public var five: Double
    public var fifteen: Double

    public init(one: Double, five: Double, fifteen: Double) {
        self.one = one
        self.five = five
        self.fifteen = fifteen
    }

    /// Parses `0.43 1.02 1.97 1/90 15505`.
    public static func parse(loadavg text: String) -> LoadAverages? {
        let fields = text.split(whereSeparator: { $0 == " " || $0 == "\n" }).prefix(3).compactMap { Double($0) }
        guard fields.count == 3 else { return nil }
        return LoadAverages(one: fields[0], five: fields[1], fifteen: fields[2])
    }
}

/// Seconds since the host booted, from the first number of `/proc/uptime`.
public enum HostUptime {
    public static func parse(uptime text: String) -> Double? {
        text.split(whereSeparator: { $0 == " " || $0 == "\n" }).first.flatMap { Double($0) }
    }
}

/// Byte counters of network interfaces, from `/proc/net/dev`.
///
/// `/proc/net/dev` shows the interfaces of the reading process's network namespace, where
/// `/sys/class/net` shows those of the namespace sysfs was mounted in; joistd may run in a namespace
/// of its own (tests do), so the counters come from here.
public enum InterfaceCounters {
    /// Received and transmitted bytes per interface, from the host's side.
    public struct Bytes: Sendable, Equatable {
        public var received: UInt64
        public var transmitted: UInt64

        public init(received: UInt64, transmitted: UInt64) {
            self.received = received
            self.transmitted = transmitted
        }
    }

    /// Parses `  NAME: rxbytes rxpackets … (8 receive fields) txbytes …`; header lines are skipped.
    public static func parse(netDev text: String) -> [String: Bytes] {
        var counters: [String: Bytes] = [:]
        for line in text.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].trimmingCharacters(in: .whitespaces)
            let fields = line[line.index(after: colon)...].split(separator: " ").compactMap { UInt64($0) }
            guard !name.isEmpty, fields.count >= 9 else { continue }
            counters[name] = Bytes(received: fields[0], transmitted: fields[8])
        }
        return counters
    }
}

/// Small helpers for the kernel's text formats.
enum ProcText {
    /// `Key:   123 kB` lines as bytes (the kernel's kB are KiB); lines without a number are skipped.
    static func keyedKibibytes(_ text: String) -> [String: UInt64] {
        var values: [String: UInt64] = [:]
        for line in text.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let fields = line[line.index(after: colon)...].split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard let number = fields.first.flatMap({ UInt64($0) }) else { continue }
            let unit = fields.dropFirst().first
            values[String(line[..<colon])] = unit == "kB" ? number * 1024 : number
        }
        return values
    }
}
