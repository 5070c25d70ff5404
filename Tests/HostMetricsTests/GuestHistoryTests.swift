import Foundation
import HostMetrics
import Testing

@Suite("Sample ring and rates")
struct GuestHistoryTests {
    @Test("the ring keeps the newest elements, oldest first, once it wraps")
    func ring() {
        var ring = SampleRing<Int>(capacity: 3)
        #expect(ring.elements.isEmpty && ring.last == nil)
        for value in 1...2 { ring.append(value) }
        #expect(ring.elements == [1, 2])
        for value in 3...7 { ring.append(value) }
        #expect(ring.elements == [5, 6, 7])
        #expect(ring.count == 3 && ring.last == 7)
        ring.removeAll()
        #expect(ring.isEmpty)
        ring.append(8)
        #expect(ring.elements == [8])
    }

    static let calculator = RateCalculator(ticksPerSecond: 100, maxGap: 35)
    static let process = GuestReading.Process(pid: 42, startTime: 1000)

    static func reading(
        _ second: Double, process: GuestReading.Process? = process, ticks: UInt64? = nil, disk: (UInt64, UInt64)? = nil, net: (UInt64, UInt64)? = nil
    ) -> GuestReading {
        GuestReading(
            time: Date(timeIntervalSince1970: 1_000_000 + second), at: second, process: process,
            cpuTicks: ticks.map { .init($0, at: second) }, memoryBytes: 64 << 20,
            disks: disk.map { .init(["virtio-disk0": GuestReading.ByteCounters($0.0, $0.1)], at: second) },
            network: net.map { .init(["jt-1": GuestReading.ByteCounters($0.0, $0.1)], at: second) })
    }

    @Test("rates over the interval: CPU in percent of one core, bytes per second; memory is the level read")
    func rates() {
        var history = GuestHistory(capacity: 360, calculator: Self.calculator)
        let first = history.record(Self.reading(0, ticks: 100, disk: (0, 0), net: (10, 20)))
        #expect(first.cpuPercent == nil && first.diskReadBytesPerSecond == nil, "nothing to compare the first reading with")
        #expect(first.memoryBytes == 64 << 20)
        let second = history.record(Self.reading(10, ticks: 600, disk: (10240, 2048), net: (1010, 20)))
        #expect(second.cpuPercent == 50)
        #expect(second.diskReadBytesPerSecond == 1024 && second.diskWriteBytesPerSecond == 204.8)
        #expect(second.networkReceiveBytesPerSecond == 100 && second.networkTransmitBytesPerSecond == 0)
        #expect(history.samples().count == 2)
        #expect(history.samples(since: Date(timeIntervalSince1970: 1_000_000)).map(\.time) == [second.time], "since: later ones only")
    }

    @Test("a counter that went back, a restarted QEMU, or a long gap give null rates, never negative ones")
    func resetsAndGaps() {
        var history = GuestHistory(capacity: 360, calculator: Self.calculator)
        history.record(Self.reading(0, ticks: 500, disk: (5000, 5000), net: (500, 500)))
        let reset = history.record(Self.reading(10, ticks: 600, disk: (100, 6000), net: (100, 600)))
        #expect(reset.cpuPercent == 10)
        #expect(reset.diskReadBytesPerSecond == nil && reset.diskWriteBytesPerSecond == 100)
        #expect(reset.networkReceiveBytesPerSecond == nil && reset.networkTransmitBytesPerSecond == 10)

        let restarted = history.record(Self.reading(20, process: .init(pid: 43, startTime: 2000), ticks: 5, disk: (0, 0)))
        #expect(restarted.cpuPercent == nil && restarted.diskReadBytesPerSecond == nil, "a new process starts its counters afresh")
        let next = history.record(Self.reading(30, process: .init(pid: 43, startTime: 2000), ticks: 105, disk: (0, 0)))
        #expect(next.cpuPercent == 10)

        let afterGap = history.record(Self.reading(100, process: .init(pid: 43, startTime: 2000), ticks: 205, disk: (10, 0)))
        #expect(afterGap.cpuPercent == nil && afterGap.diskReadBytesPerSecond == nil, "70 s apart: a gap, not an average over it")

        history.processEnded()
        let started = history.record(Self.reading(110, process: .init(pid: 43, startTime: 2000), ticks: 305))
        #expect(started.cpuPercent == nil)
        #expect(history.samples().count == 6, "samples stay when the guest stops")
    }

    @Test("a skipped field is null for that sample only: the next rate spans from its last reading")
    func skippedField() {
        var history = GuestHistory(capacity: 360, calculator: Self.calculator)
        history.record(Self.reading(0, ticks: 0, disk: (0, 0)))
        let busy = history.record(Self.reading(10, ticks: 100))
        #expect(busy.diskReadBytesPerSecond == nil && busy.cpuPercent == 10)
        let back = history.record(Self.reading(20, ticks: 200, disk: (2000, 0)))
        #expect(back.diskReadBytesPerSecond == 100, "2000 bytes over the 20 s since the disks were last read")
    }

    @Test("no tap NIC: network rates stay null; a NIC added later counts from its first reading")
    func networkPresence() {
        var history = GuestHistory(capacity: 360, calculator: Self.calculator)
        history.record(Self.reading(0, ticks: 0))
        #expect(history.record(Self.reading(10, ticks: 0)).networkReceiveBytesPerSecond == nil)
        history.record(Self.reading(20, ticks: 0, net: (100, 100)))
        #expect(history.record(Self.reading(30, ticks: 0, net: (200, 100))).networkReceiveBytesPerSecond == 10)
    }

    @Test("an hour at 10 s is 360 samples: the oldest go first")
    func capacity() {
        var history = GuestHistory(capacity: 360, calculator: Self.calculator)
        for second in stride(from: 0.0, to: 4000, by: 10) { history.record(Self.reading(second, ticks: UInt64(second))) }
        let samples = history.samples()
        #expect(samples.count == 360)
        #expect(samples.first?.time == Date(timeIntervalSince1970: 1_000_000 + 400))
        #expect(samples.allSatisfy { $0.cpuPercent == 1 || $0.cpuPercent == nil })
    }
}
