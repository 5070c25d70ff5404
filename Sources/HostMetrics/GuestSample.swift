import Foundation

/// One point of a guest's history: levels and per-second rates over the interval before `time`.
/// A nil field is unknown (not read, no earlier reading to compare with, a counter reset).
public struct GuestSample: Sendable, Equatable {
    public var time: Date
    /// CPU time of the guest's QEMU as a percentage of one host core (above 100 with several vCPUs busy).
    public var cpuPercent: Double?
    public var memoryBytes: UInt64?
    public var diskReadBytesPerSecond: Double?
    public var diskWriteBytesPerSecond: Double?
    /// From the guest's point of view: what it received and what it sent.
    public var networkReceiveBytesPerSecond: Double?
    public var networkTransmitBytesPerSecond: Double?

    public init(
        time: Date, cpuPercent: Double? = nil, memoryBytes: UInt64? = nil, diskReadBytesPerSecond: Double? = nil,
        diskWriteBytesPerSecond: Double? = nil, networkReceiveBytesPerSecond: Double? = nil, networkTransmitBytesPerSecond: Double? = nil
    ) {
        self.time = time
        self.cpuPercent = cpuPercent
        self.memoryBytes = memoryBytes
        self.diskReadBytesPerSecond = diskReadBytesPerSecond
        self.diskWriteBytesPerSecond = diskWriteBytesPerSecond
        self.networkReceiveBytesPerSecond = networkReceiveBytesPerSecond
        self.networkTransmitBytesPerSecond = networkTransmitBytesPerSecond
    }
}

/// Turns two readings into a sample's rates. Pure.
///
/// Rates are never negative and never span a gap: a counter that went backwards (a reset, a
/// re-created tap), a different QEMU process, or readings further apart than `maxGap` give nil, so a
/// graph shows a hole rather than an invented figure.
public struct RateCalculator: Sendable {
    /// Clock ticks per second of `/proc/PID/stat` times (`sysconf(_SC_CLK_TCK)`, 100 on Linux).
    public var ticksPerSecond: Double
    /// The longest span, in seconds, a rate may cover.
    public var maxGap: Double

    public init(ticksPerSecond: Double, maxGap: Double) {
        self.ticksPerSecond = ticksPerSecond
        self.maxGap = maxGap
    }

    /// The sample for `current`, with rates against `previous` (what `carryingForward` kept).
    public func sample(_ current: GuestReading, after previous: GuestReading?) -> GuestSample {
        var sample = GuestSample(time: current.time, memoryBytes: current.memoryBytes)
        guard let previous, previous.process != nil, previous.process == current.process else { return sample }
        if let now = current.cpuTicks, let then = previous.cpuTicks, let ticks = rate(now.value, then.value, over: span(then.at, now.at)) {
            sample.cpuPercent = ticks / ticksPerSecond * 100
        }
        if let now = current.disks, let then = previous.disks {
            (sample.diskReadBytesPerSecond, sample.diskWriteBytesPerSecond) = rates(now.value, then.value, over: span(then.at, now.at))
        }
        if let now = current.network, let then = previous.network {
            (sample.networkReceiveBytesPerSecond, sample.networkTransmitBytesPerSecond) = rates(now.value, then.value, over: span(then.at, now.at))
        }
        return sample
    }

    /// Seconds between two readings, or nil when none passed or the gap is too long.
    private func span(_ from: Double, _ to: Double) -> Double? {
        let seconds = to - from
        return seconds > 0 && seconds <= maxGap ? seconds : nil
    }

    private func rate(_ now: UInt64, _ then: UInt64, over seconds: Double?) -> Double? {
        guard let seconds, now >= then else { return nil }
        return Double(now - then) / seconds
    }

    /// Summed rates of the counters present in both readings (a drive or NIC added since has no
    /// earlier value); nil when none is, or when any of them went backwards.
    private func rates(_ now: [String: GuestReading.ByteCounters], _ then: [String: GuestReading.ByteCounters], over seconds: Double?)
        -> (Double?, Double?)
    {
        guard let seconds else { return (nil, nil) }
        let common = now.keys.filter { then[$0] != nil }
        guard !common.isEmpty else { return (nil, nil) }
        var first: UInt64 = 0, second: UInt64 = 0
        var firstValid = true, secondValid = true
        for key in common {
            guard let a = now[key], let b = then[key] else { continue }
            if a.first >= b.first { first += a.first - b.first } else { firstValid = false }
            if a.second >= b.second { second += a.second - b.second } else { secondValid = false }
        }
        return (firstValid ? Double(first) / seconds : nil, secondValid ? Double(second) / seconds : nil)
    }
}
