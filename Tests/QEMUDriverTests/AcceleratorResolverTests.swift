import Foundation
import JoistCore
import Logging
@testable import QEMUDriver
import Synchronization
import Testing

/// A probe that answers as told and counts how often it was asked.
final class CountingProbe: KVMProbe {
    let answer: Bool
    let calls = Mutex(0)
    init(answer: Bool) { self.answer = answer }
    func kvmRunsGuests() async -> Bool {
        calls.withLock { $0 += 1 }
        return answer
    }
}

@Suite("Accelerator resolution")
struct AcceleratorResolverTests {
    @Test("auto picks KVM only when the probe saw a guest run, and probes once")
    func auto() async throws {
        let broken = CountingProbe(answer: false)
        let resolver = AcceleratorResolver(probe: broken)
        #expect(try await resolver.resolve(.auto) == .tcg)
        #expect(try await resolver.resolve(.auto) == .tcg)
        #expect(broken.calls.withLock { $0 } == 1)
        #expect(try await AcceleratorResolver(probe: CountingProbe(answer: true)).resolve(.auto) == .kvm)
    }

    @Test("tcg never probes; kvm is refused where KVM does not run guests")
    func explicit() async throws {
        let probe = CountingProbe(answer: false)
        let resolver = AcceleratorResolver(probe: probe)
        #expect(try await resolver.resolve(.tcg) == .tcg)
        #expect(probe.calls.withLock { $0 } == 0)
        await #expect(throws: JoistError.self) { try await resolver.resolve(.kvm) }
    }
}

@Suite("KVM probe against real QEMU")
struct KVMProbeTests {
    @Test("the probe's firmware run succeeds under TCG, so a failure under KVM means KVM, not the probe")
    func firmwareRunsUnderTCG() async {
        let probe = QEMUKVMProbe(binary: "qemu-system-x86_64", logger: .init(label: "test"))
        #expect(await probe.runsFirmware(accel: "tcg"))
    }

    @Test("the probe answers within its bound whatever KVM does")
    func bounded() async {
        let probe = QEMUKVMProbe(binary: "qemu-system-x86_64", logger: .init(label: "test"))
        let start = ContinuousClock.now
        _ = await probe.kvmRunsGuests()
        // A probe that waited for a hung guest would never answer; the slack covers a busy host.
        #expect(ContinuousClock.now - start < QEMUKVMProbe.timeLimit + .seconds(20))
    }
}

@Suite("KVM probe cache")
struct CachedKVMProbeTests {
    @Test("the answer is kept in a file and reused; another binary probes again")
    func reuses() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("joist-probe-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let inner = CountingProbe(answer: true)
        let first = CachedKVMProbe(probe: inner, cachePath: dir + "/probe.json", binary: "/bin/sh")
        #expect(await first.kvmRunsGuests())
        let second = CachedKVMProbe(probe: inner, cachePath: dir + "/probe.json", binary: "/bin/sh")
        #expect(await second.kvmRunsGuests())
        #expect(inner.calls.withLock { $0 } == 1)
        let other = CachedKVMProbe(probe: inner, cachePath: dir + "/probe.json", binary: "/bin/ls")
        _ = await other.kvmRunsGuests()
        #expect(inner.calls.withLock { $0 } == 2)
    }
}
