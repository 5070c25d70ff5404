import JoistTesting
import Networking
import Synchronization

/// A fake host whose `stopDNSMasq` waits until `resume()`, so a test can look at a delete midway.
final class PausingHostNetwork: HostNetworkDriver {
    let host: FakeHostNetworkDriver
    private let waiting = Mutex<CheckedContinuation<Void, Never>?>(nil)
    private let reached: AsyncStream<Void>
    private let reachedContinuation: AsyncStream<Void>.Continuation

    init(host: FakeHostNetworkDriver) {
        self.host = host
        (reached, reachedContinuation) = AsyncStream<Void>.makeStream()
    }

    /// Returns once a call of `stopDNSMasq` is waiting.
    func paused() async {
        for await _ in reached { return }
    }

    /// Lets the waiting call go on.
    func resume() {
        waiting.withLock { continuation in
            continuation?.resume()
            continuation = nil
        }
    }

    func stopDNSMasq(_ paths: DnsmasqPaths) async throws {
        await withCheckedContinuation { continuation in
            waiting.withLock { $0 = continuation }
            reachedContinuation.yield()
        }
        try await host.stopDNSMasq(paths)
    }

    func routedSubnets() async throws -> [IPv4Subnet] { try await host.routedSubnets() }
    func ensureBridge(_ layout: NetworkLayout) async throws { try await host.ensureBridge(layout) }
    func removeBridge(_ layout: NetworkLayout) async throws { try await host.removeBridge(layout) }
    func applyRuleset(_ ruleset: NFTablesRuleset) async throws { try await host.applyRuleset(ruleset) }
    func ensureDNSMasq(_ config: DnsmasqConfig, layout: NetworkLayout) async throws { try await host.ensureDNSMasq(config, layout: layout) }
    func ensureTap(_ name: String, bridge: String) async throws { try await host.ensureTap(name, bridge: bridge) }
    func removeTap(_ name: String) async throws { try await host.removeTap(name) }
    func probeFeatures() async -> HostNetworkFeatures { await host.probeFeatures() }
    func applyVLANPlan(_ plan: VLANPlan) async throws { try await host.applyVLANPlan(plan) }
}
