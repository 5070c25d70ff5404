public import JoistCore
public import Networking
import Synchronization

/// A `HostNetworkDriver` that keeps the host's links, ruleset and dnsmasqs in memory, so what sits
/// above the driver (the network manager, the API) is tested without touching the host. It records
/// every call, any step can be told to fail once, and it is idempotent like the real driver.
///
/// It behaves like a host where that matters: a bridge of Joist's adds its subnet to the routes, a
/// `bridge` network's parent must be one of `hostInterfaces`, and dnsmasq needs its bridge up. It
/// reports the kernel features it was given (all by default) and refuses a VLAN plan that needs
/// another, as a driver that skipped the probe would fail on such a host.
public final class FakeHostNetworkDriver: HostNetworkDriver {
    /// The driver's methods, to make one fail or to count calls.
    public enum Step: String, Sendable, Hashable, CaseIterable {
        case routedSubnets, ensureBridge, removeBridge, applyRuleset, ensureDNSMasq, stopDNSMasq, ensureTap, removeTap
        case probeFeatures, applyVLANPlan
    }

    /// One call: the step, and what it was about (the network for bridges and dnsmasq, the tap's
    /// name for taps, the dnsmasq folder for `stopDNSMasq`, nil for routes, rulesets, the probe and
    /// VLAN plans).
    public struct Call: Sendable, Hashable, CustomStringConvertible {
        public var step: Step
        public var subject: String?

        public init(_ step: Step, _ subject: String? = nil) {
            self.step = step
            self.subject = subject
        }

        public var description: String { subject.map { "\(step.rawValue) \($0)" } ?? step.rawValue }
    }

    private struct State {
        var hostRoutes: [IPv4Subnet]
        var hostInterfaces: Set<String>
        /// Bridges Joist made, by bridge name.
        var bridges: [String: NetworkLayout] = [:]
        var ruleset: NFTablesRuleset?
        /// Running dnsmasqs, by their folder.
        var dnsmasqs: [String: DnsmasqConfig] = [:]
        /// Tap devices, by name, with the bridge each joined.
        var taps: [String: String] = [:]
        var features: HostNetworkFeatures
        /// VLAN plans applied, in order.
        var vlanPlans: [VLANPlan] = []
        /// VLAN sub-interfaces, by name, with the bridge each joined (nil until it joins one).
        var vlanLinks: [String: String?] = [:]
        var failures: [Step: JoistError] = [:]
        var calls: [Call] = []
        var tracksBridgedConnections = true
    }

    private let state: Mutex<State>

    /// A host that routes `routes` (its LAN, say), has the interfaces `interfaces` and a kernel with
    /// `features`.
    public init(routes: [IPv4Subnet] = [], interfaces: Set<String> = ["eth0", "br0"], features: HostNetworkFeatures = .all) {
        state = Mutex(State(hostRoutes: routes, hostInterfaces: interfaces, features: features))
    }

    // MARK: Steering and looking

    /// Makes the next call of `step` throw `error`.
    public func fail(_ step: Step, with error: JoistError = .hostFailure("the fake host network was told to fail")) {
        state.withLock { $0.failures[step] = error }
    }

    /// Every call so far, in order.
    public var calls: [Call] { state.withLock { $0.calls } }

    /// How many calls of `step` (about `subject`, when given) there were.
    public func count(_ step: Step, _ subject: String? = nil) -> Int {
        calls.filter { $0.step == step && (subject == nil || $0.subject == subject) }.count
    }

    /// Forgets the calls so far (not the state they made).
    public func clearCalls() {
        state.withLock { $0.calls = [] }
    }

    /// The bridges Joist made, by name.
    public var bridges: [String: NetworkLayout] { state.withLock { $0.bridges } }
    /// The ruleset applied last, if any.
    public var ruleset: NFTablesRuleset? { state.withLock { $0.ruleset } }
    /// The running dnsmasqs, by their folder.
    public var dnsmasqs: [String: DnsmasqConfig] { state.withLock { $0.dnsmasqs } }
    /// The tap devices, with the bridge each joined.
    public var taps: [String: String] { state.withLock { $0.taps } }
    /// The VLAN plans applied so far, in order.
    public var vlanPlans: [VLANPlan] { state.withLock { $0.vlanPlans } }
    /// The VLAN sub-interfaces, with the bridge each joined.
    public var vlanLinks: [String: String?] { state.withLock { $0.vlanLinks } }

    /// Makes the host's kernel track bridged connections (the default) or not, as
    /// `tracksBridgedConnections` answers.
    public func setTracksBridgedConnections(_ tracks: Bool) {
        state.withLock { $0.tracksBridgedConnections = tracks }
    }

    // MARK: HostNetworkDriver

    public func routedSubnets() async throws -> [IPv4Subnet] {
        try step(.routedSubnets, nil) { state in
            state.hostRoutes + state.bridges.values.compactMap { $0.addressing?.subnet }
        }
    }

    public func ensureBridge(_ layout: NetworkLayout) async throws {
        try step(.ensureBridge, layout.name) { state in
            if let uplink = layout.uplink, !state.hostInterfaces.contains(uplink.parent) {
                throw JoistError.notFound("network \(layout.name): the host has no interface \(uplink.parent)")
            }
            guard layout.ownsBridge else {
                guard state.hostInterfaces.contains(layout.bridge) else {
                    throw JoistError.invalidArgument("network \(layout.name): the host has no interface \(layout.bridge)")
                }
                return
            }
            state.bridges[layout.bridge] = layout
        }
    }

    public func removeBridge(_ layout: NetworkLayout) async throws {
        try step(.removeBridge, layout.name) { state in
            guard layout.ownsBridge else { return }
            if let uplink = layout.uplink, state.vlanLinks[uplink.name] != nil {
                throw JoistError.invalidState("the fake host's bridge \(layout.bridge) still has VLAN link \(uplink.name): remove it first")
            }
            state.bridges.removeValue(forKey: layout.bridge)
            state.taps = state.taps.filter { $0.value != layout.bridge }
        }
    }

    public func applyRuleset(_ ruleset: NFTablesRuleset) async throws {
        try step(.applyRuleset, nil) { $0.ruleset = ruleset }
    }

    public func ensureDNSMasq(_ config: DnsmasqConfig, layout: NetworkLayout) async throws {
        try step(.ensureDNSMasq, layout.name) { state in
            guard state.bridges[layout.bridge] != nil else {
                throw JoistError.hostFailure("dnsmasq for network \(layout.name) cannot bind to \(layout.bridge): no such interface")
            }
            state.dnsmasqs[config.paths.directory] = config
        }
    }

    public func stopDNSMasq(_ paths: DnsmasqPaths) async throws {
        try step(.stopDNSMasq, paths.directory) { _ = $0.dnsmasqs.removeValue(forKey: paths.directory) }
    }

    public func ensureTap(_ name: String, bridge: String) async throws {
        try step(.ensureTap, name) { state in
            guard state.bridges[bridge] != nil || state.hostInterfaces.contains(bridge) else {
                throw JoistError.hostFailure("tap \(name) cannot join \(bridge): no such bridge")
            }
            state.taps[name] = bridge
        }
    }

    public func removeTap(_ name: String) async throws {
        try step(.removeTap, name) { _ = $0.taps.removeValue(forKey: name) }
    }

    public func tracksBridgedConnections() async throws -> Bool {
        state.withLock { $0.tracksBridgedConnections }
    }

    public func probeFeatures() async -> HostNetworkFeatures {
        (try? step(.probeFeatures, nil) { $0.features }) ?? HostNetworkFeatures(missing: [.bridgeVLANFiltering: "told to fail"])
    }

    public func applyVLANPlan(_ plan: VLANPlan) async throws {
        try step(.applyVLANPlan, nil) { state in
            try state.features.require(plan.features, for: "the VLAN plan")
            for step in plan.steps {
                switch step {
                case .addVLANLink(let uplink):
                    guard state.hostInterfaces.contains(uplink.parent) else {
                        throw JoistError.notFound("the host has no interface \(uplink.parent)")
                    }
                    if state.vlanLinks[uplink.name] == nil { state.vlanLinks[uplink.name] = .some(nil) }
                case .joinBridge(let link, let bridge):
                    if state.vlanLinks[link] != nil { state.vlanLinks[link] = bridge }
                case .deleteLink(let link):
                    state.vlanLinks.removeValue(forKey: link)
                case .enableFiltering, .requireFiltering, .addVLAN, .deleteVLAN:
                    break
                }
            }
            state.vlanPlans.append(plan)
        }
    }

    /// Records the call, throws a planted failure (changing nothing), or runs `body`.
    private func step<T>(_ step: Step, _ subject: String?, _ body: (inout State) throws -> T) throws -> T {
        try state.withLock { state in
            state.calls.append(Call(step, subject))
            if let failure = state.failures.removeValue(forKey: step) { throw failure }
            return try body(&state)
        }
    }
}
