public import Foundation
public import JoistAPI
import Logging
import HostKit
import HostMetrics
import QMP

/// Samples every running guest's CPU, memory, disk and network every `interval` and keeps the last
/// hour of each (`GuestHistory`), plus the host's CPU use over the same interval.
///
/// Cheap by design: per guest and interval, two small `/proc` reads, one QMP `query-blockstats`
/// (never a second while one is unanswered), and one `/proc/net/dev` read for all guests. It reads the
/// supervisor's state without its operation lock, so a long start, stop or backup never waits for it;
/// when QMP does not answer in time (QEMU busy with a long command) that sample has no disk figures.
public actor MetricsSampler {
    public nonisolated let interval: Duration
    public nonisolated let intervalSeconds: Double
    /// Samples kept per guest: one hour's worth.
    public nonisolated let capacity: Int
    let instances: InstanceManager
    let storage: StorageManager
    let logger: Logger
    let calculator: RateCalculator
    /// How long a tick waits for `query-blockstats`.
    let queryLimit: Duration

    private struct Entry {
        /// The supervisor the history is of: a new instance of the same name starts afresh.
        let supervisor: InstanceSupervisor
        var history: GuestHistory
    }

    private var entries: [InstanceKey: Entry] = [:]
    /// `query-blockstats` calls still unanswered, by instance: the next tick waits on the same one.
    private var pendingQueries: [InstanceKey: Task<GuestReading.Stamped<[String: GuestReading.ByteCounters]>?, Never>] = [:]
    private var hostCPU: HostCPUTimes?
    /// Percent of all CPUs busy over the last interval, once two readings exist.
    private(set) var hostCPUPercent: Double?

    public init(instances: InstanceManager, interval: Duration = .seconds(10)) {
        self.instances = instances
        self.storage = instances.storage
        self.interval = interval
        self.logger = instances.env.logger
        let seconds = max(0.001, Double(interval.components.seconds) + Double(interval.components.attoseconds) / 1e18)
        self.intervalSeconds = seconds
        self.capacity = max(1, Int((3600 / seconds).rounded()))
        // A rate may span a skipped tick or two, never a longer absence.
        self.calculator = RateCalculator(ticksPerSecond: ProcFiles.ticksPerSecond, maxGap: seconds * 3.5)
        self.queryLimit = min(.seconds(2), interval / 2)
    }

    /// Samples every `interval`, on a fixed schedule, until cancelled.
    public func run() async {
        let clock = ContinuousClock()
        var next = clock.now
        while !Task.isCancelled {
            await tick()
            next = next + interval
            if next < clock.now { next = clock.now + interval }
            try? await Task.sleep(until: next, clock: clock)
        }
    }

    /// Takes one sample of the host and of every running guest.
    public func tick() async {
        if let now = KernelFile.text("/proc/stat").flatMap(HostCPUTimes.parse(procStat:)) {
            hostCPUPercent = hostCPU.flatMap { now.busyPercent(since: $0) }
            hostCPU = now
        }
        let supervisors = await instances.allSupervisors()
        forgetDeleted(supervisors)
        var sources: [(InstanceSupervisor, MetricsSource)] = []
        for supervisor in supervisors {
            if let source = await supervisor.metricsSource() {
                sources.append((supervisor, source))
            } else {
                entries[supervisor.key]?.history.processEnded()
                pendingQueries[supervisor.key] = nil
            }
        }
        // Ask every QEMU at once, so the wait for a busy one bounds the tick once, not per guest.
        for (supervisor, source) in sources where pendingQueries[supervisor.key] == nil {
            guard let qmp = source.qmp else { continue }
            pendingQueries[supervisor.key] = Task { await Self.blockStats(qmp) }
        }
        let interfaces = KernelFile.text("/proc/net/dev").map(InterfaceCounters.parse(netDev:)) ?? [:]
        for (supervisor, source) in sources {
            var reading = Self.processReading(source, interfaces: interfaces)
            if let query = pendingQueries[supervisor.key] {
                if let answer = await FirstOf.value(of: query, within: queryLimit) {
                    pendingQueries[supervisor.key] = nil
                    reading.disks = answer
                } else {
                    logger.debug("no query-blockstats answer within \(queryLimit): this sample has no disk figures", metadata: ["instance": "\(supervisor.key)"])
                }
            }
            var entry = entries[supervisor.key] ?? Entry(supervisor: supervisor, history: GuestHistory(capacity: capacity, calculator: calculator))
            entry.history.record(reading)
            entries[supervisor.key] = entry
        }
    }

    /// The instance's samples (oldest first; with `since`, those taken after it).
    public func metrics(of supervisor: InstanceSupervisor, since: Date? = nil) -> InstanceMetrics {
        let samples = entries[supervisor.key].flatMap { $0.supervisor === supervisor ? $0.history.samples(since: since) : nil } ?? []
        return InstanceMetrics(intervalSeconds: intervalSeconds, samples: samples.map(Self.wire))
    }

    /// Drops the history of instances that are gone (or were deleted and made again).
    private func forgetDeleted(_ supervisors: [InstanceSupervisor]) {
        let current = Dictionary(supervisors.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        for (key, entry) in entries where current[key] !== entry.supervisor {
            entries[key] = nil
            pendingQueries[key] = nil
        }
    }

    /// CPU, memory and network counters of one QEMU, read now.
    private static func processReading(_ source: MetricsSource, interfaces: [String: InterfaceCounters.Bytes]) -> GuestReading {
        let at = ProcFiles.monotonicSeconds()
        let time = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
        let cpu = KernelFile.text("/proc/\(source.pid)/stat").flatMap(ProcessCPUTimes.parse(stat:))
        var reading = GuestReading(
            time: time, at: at, process: cpu.map { GuestReading.Process(pid: source.pid, startTime: $0.startTime) },
            cpuTicks: cpu.map { .init($0.ticks, at: at) },
            memoryBytes: KernelFile.text("/proc/\(source.pid)/status").flatMap(ProcessMemory.parse(status:)))
        let taps = source.taps.compactMap { tap in interfaces[tap].map { (tap, GuestReading.ByteCounters.guestView(ofTap: $0)) } }
        if !taps.isEmpty {
            reading.network = .init(Dictionary(taps, uniquingKeysWith: { first, _ in first }), at: at)
        }
        return reading
    }

    /// The guest's drive counters, stamped when QEMU answered; nil when it could not.
    private static func blockStats(_ qmp: QMPClient) async -> GuestReading.Stamped<[String: GuestReading.ByteCounters]>? {
        guard let stats = try? await qmp.queryBlockStats() else { return nil }
        return .init(stats.mapValues { GuestReading.ByteCounters($0.read, $0.written) }, at: ProcFiles.monotonicSeconds())
    }

    private static func wire(_ sample: GuestSample) -> InstanceMetricSample {
        InstanceMetricSample(
            time: sample.time, cpuPercent: sample.cpuPercent, memoryBytes: sample.memoryBytes,
            diskReadBytesPerSecond: sample.diskReadBytesPerSecond, diskWriteBytesPerSecond: sample.diskWriteBytesPerSecond,
            networkReceiveBytesPerSecond: sample.networkReceiveBytesPerSecond,
            networkTransmitBytesPerSecond: sample.networkTransmitBytesPerSecond)
    }
}
