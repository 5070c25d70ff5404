import Daemon
import Foundation
import JoistAPI
import JoistTesting
import QMP
import Testing

/// The sampler against a fake QEMU: what it asks over QMP, and that a slow answer never holds it up.
@Suite("Metrics sampler against a fake QEMU", .timeLimit(.minutes(1)))
struct MetricsSamplerTests {
    @Test("a QEMU that does not answer query-blockstats holds no tick up, and is not asked again while the question is open")
    func unansweredQMP() async throws {
        let (daemon, launcher) = try Self.daemon(answeringBlockstats: .noReply)
        defer { daemon.cleanUp() }
        let supervisor = try await daemon.create("vm1")
        try await supervisor.start()
        let vm = try #require(launcher.last)
        let sampler = MetricsSampler(instances: daemon.manager, interval: .seconds(1))
        // Were a tick to wait for the answer, it would never return.
        for _ in 0..<5 { await sampler.tick() }
        #expect(vm.qmp.commands.filter { $0.name == "query-blockstats" }.count == 1, "no second query while the first is unanswered")
        let samples = await sampler.metrics(of: supervisor).samples
        #expect(samples.count == 5 && samples.allSatisfy { $0.diskReadBytesPerSecond == nil }, "\(samples)")
    }

    @Test("a QEMU slow to answer query-blockstats costs samples their disk figures only, and is asked again once it has answered")
    func slowQMP() async throws {
        let (daemon, launcher) = try Self.daemon(
            answeringBlockstats: .delayed(.seconds(2), .success([["qdev": "disk0", "stats": ["rd_bytes": 4096, "wr_bytes": 512]]])))
        defer { daemon.cleanUp() }
        let supervisor = try await daemon.create("vm1")
        try await supervisor.start()
        let vm = try #require(launcher.last)
        let sampler = MetricsSampler(instances: daemon.manager, interval: .seconds(1))
        func asked() -> Int { vm.qmp.commands.filter { $0.name == "query-blockstats" }.count }

        // Ticks go on until QEMU has answered and the answer was taken: only then is it asked again.
        var ticks = 0
        let askedAgain = await eventually(timeout: .seconds(30)) {
            await sampler.tick()
            ticks += 1
            return asked() >= 2
        }
        #expect(askedAgain && asked() == 2, "\(asked()) queries")

        let metrics = await sampler.metrics(of: supervisor)
        #expect(metrics.intervalSeconds == 1)
        #expect(metrics.samples.count == ticks)
        #expect(metrics.samples.allSatisfy { $0.diskReadBytesPerSecond == nil && $0.cpuPercent == nil }, "no process to compare: nothing invented")

        // Stopped: no new samples, the history stays.
        await stop(vm, of: supervisor, on: launcher)
        await sampler.tick()
        #expect(await sampler.metrics(of: supervisor).samples.count == ticks)
    }

    /// A daemon whose fake QEMU answers `query-blockstats` with `answer`, and everything else at once.
    static func daemon(answeringBlockstats answer: FakeQMPServer.Reply) throws -> (FakeDaemon, FakeVMLauncher) {
        let launcher = FakeVMLauncher { command in
            switch command.name {
            case "query-blockstats": return answer
            case "quit": return .successThenDisconnect([:])
            default: return .success([:])
            }
        }
        return (try FakeDaemon(launcher: launcher), launcher)
    }
}
