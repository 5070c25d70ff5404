import Foundation

/// A guest's cumulative counters as read at one moment: the raw material of a `GuestSample`.
///
/// Each counter carries the monotonic time it was read at, because a field may be skipped (QMP was
/// busy) while the others are read: the next rate of that field then spans from the last time it was
/// read, not from a reading that lacked it.
public struct GuestReading: Sendable, Equatable {
    /// A value and the monotonic second it was read at.
    public struct Stamped<Value: Sendable & Equatable>: Sendable, Equatable {
        public var value: Value
        public var at: Double

        public init(_ value: Value, at: Double) {
            self.value = value
            self.at = at
        }
    }

    /// Two byte counters that move together: read and written, or received and transmitted.
    public struct ByteCounters: Sendable, Equatable {
        public var first: UInt64
        public var second: UInt64

        public init(_ first: UInt64, _ second: UInt64) {
            self.first = first
            self.second = second
        }
    }

    /// Which process the counters belong to: pid and start time. A different one (QEMU restarted)
    /// starts every counter afresh.
    public struct Process: Sendable, Equatable {
        public var pid: Int32
        public var startTime: UInt64

        public init(pid: Int32, startTime: UInt64) {
            self.pid = pid
            self.startTime = startTime
        }
    }

    /// Wall-clock time of the reading, which the sample shows.
    public var time: Date
    /// Monotonic seconds of the reading (never jumps with the wall clock).
    public var at: Double
    public var process: Process?
    /// QEMU's user + system CPU time in clock ticks.
    public var cpuTicks: Stamped<UInt64>?
    /// QEMU's resident memory now (a level, not a counter).
    public var memoryBytes: UInt64?
    /// Bytes read and written per drive (QMP `query-blockstats`), by drive id.
    public var disks: Stamped<[String: ByteCounters]>?
    /// Bytes received and transmitted per NIC, from the guest's point of view, by tap name.
    public var network: Stamped<[String: ByteCounters]>?

    public init(
        time: Date, at: Double, process: Process?, cpuTicks: Stamped<UInt64>? = nil, memoryBytes: UInt64? = nil,
        disks: Stamped<[String: ByteCounters]>? = nil, network: Stamped<[String: ByteCounters]>? = nil
    ) {
        self.time = time
        self.at = at
        self.process = process
        self.cpuTicks = cpuTicks
        self.memoryBytes = memoryBytes
        self.disks = disks
        self.network = network
    }

    /// The reading to compute the next rates from: this one, with the counters it could not read
    /// taken from `previous` (same process only), so a skipped field is a gap of one sample, not two.
    public func carryingForward(from previous: GuestReading?) -> GuestReading {
        guard let previous, previous.process == process else { return self }
        var carried = self
        carried.cpuTicks = cpuTicks ?? previous.cpuTicks
        carried.disks = disks ?? previous.disks
        carried.network = network ?? previous.network
        return carried
    }
}

extension GuestReading.ByteCounters {
    /// A tap's counters from the guest's point of view: what the host receives on a tap is what the
    /// guest transmitted, and the other way round.
    public static func guestView(ofTap tap: InterfaceCounters.Bytes) -> GuestReading.ByteCounters {
        GuestReading.ByteCounters(tap.transmitted, tap.received)
    }
}
