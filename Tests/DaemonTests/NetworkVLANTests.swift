import Activity
import Foundation
import JoistAPI
import JoistCore
import JoistTesting
import Logging
import Networking
import QEMUDriver
import Store
import Testing

@testable import Daemon

/// VLANs through the daemon on a fake host: with the kernel features the plans are made and
/// applied; without them networks and NICs are refused before anything changes.
@Suite("Networks and NICs with VLANs")
struct NetworkVLANTests {
    static let noVLANs = HostNetworkFeatures(missing: [
        .vlanInterfaces: "Error: Unknown device type.", .bridgeVLANFiltering: "RTNETLINK answers: Operation not supported",
    ])

    /// A daemon (instances and networks) on a fake host with `features`, with a `nat` network `lan`.
    private struct Daemon {
        let manager: InstanceManager
        let host: FakeHostNetworkDriver
        let directory: String

        static func make(features: HostNetworkFeatures = .all) async throws -> Daemon {
            let directory = "/tmp/jv-\(UUID().uuidString.prefix(8))"
            try FileManager.default.createDirectory(atPath: directory + "/instances", withIntermediateDirectories: true)
            _ = FileManager.default.createFile(atPath: directory + "/vmlinuz", contents: Data("kernel".utf8))
            let env = DaemonEnvironment(
                stateDirectory: directory, store: InMemoryStore(), launcher: FakeVMLauncher.quitting(),
                accelerators: AcceleratorResolver(probe: NoKVM()), logger: Logger(label: "test"))
            let host = FakeHostNetworkDriver(features: features)
            let manager = InstanceManager.testing(env: env, host: host)
            try await manager.projects.load()
            try await manager.networks.load()
            _ = try await manager.networks.create(NetworkCreate(name: "lan", type: .nat, subnet: try IPv4Subnet(parsing: "10.77.0.0/24")))
            return Daemon(manager: manager, host: host, directory: directory)
        }

        @discardableResult
        func create(_ name: String, nics: [String]) async throws -> Instance {
            try await manager.create(
                InstanceCreate(name: name, kernel: directory + "/vmlinuz", memory: "64MiB", nics: nics, accel: .tcg), in: "default")
        }

        func tap(_ instance: String, _ index: Int) -> String {
            LinkNames.tap(for: NICIdentity(project: "default", instance: instance, index: index))
        }

        func cleanUp() { try? FileManager.default.removeItem(atPath: directory) }
    }

    @Test("a bridge network on a VLAN makes its VLAN interface on the parent, joined to its own bridge; delete removes both")
    func uplinkAccepted() async throws {
        let daemon = try await Daemon.make()
        defer { daemon.cleanUp() }
        let info = try await daemon.manager.networks.create(NetworkCreate(name: "lan10", type: .bridge, parent: "eth0", vlan: 10))
        #expect(info.config.vlan == 10 && info.bridge == LinkNames.bridge(network: "lan10"))
        let layout = try await daemon.manager.networks.layout(of: "lan10")
        #expect(daemon.host.vlanPlans == [try VLANPlan.uplink(of: layout)])
        #expect(daemon.host.vlanLinks == [LinkNames.vlanLink(network: "lan10"): info.bridge])
        #expect(daemon.host.bridges[info.bridge] != nil)

        try await daemon.manager.networks.delete("lan10")
        #expect(daemon.host.vlanLinks.isEmpty)
        #expect(daemon.host.bridges[info.bridge] == nil)
    }

    @Test("a second network on the same VLAN of the same parent is refused; another VLAN or parent is fine")
    func sameVLANTwice() async throws {
        let daemon = try await Daemon.make()
        defer { daemon.cleanUp() }
        _ = try await daemon.manager.networks.create(NetworkCreate(name: "lan10", type: .bridge, parent: "eth0", vlan: 10))
        let refused = await #expect(throws: JoistError.self) {
            try await daemon.manager.networks.create(NetworkCreate(name: "other", type: .bridge, parent: "eth0", vlan: 10))
        }
        #expect(refused?.message == "network lan10 already sits on VLAN 10 of eth0: connect instances to lan10")
        _ = try await daemon.manager.networks.create(NetworkCreate(name: "lan20", type: .bridge, parent: "eth0", vlan: 20))
        _ = try await daemon.manager.networks.create(NetworkCreate(name: "br10", type: .bridge, parent: "br0", vlan: 10))
    }

    @Test("on a kernel without 802.1Q interfaces a network with a vlan is refused, naming the feature, and nothing changes")
    func uplinkRefused() async throws {
        let daemon = try await Daemon.make(features: Self.noVLANs)
        defer { daemon.cleanUp() }
        daemon.host.clearCalls()
        let refused = await #expect(throws: JoistError.self) {
            try await daemon.manager.networks.create(NetworkCreate(name: "lan10", type: .bridge, parent: "eth0", vlan: 10))
        }
        #expect(refused?.code == .unsupported)
        #expect(refused?.message.hasPrefix(
            "this host's kernel has no 802.1Q VLAN interfaces (CONFIG_VLAN_8021Q, module 8021q); network lan10's vlan 10 cannot be honoured") == true)
        #expect(daemon.host.calls.map(\.step) == [.probeFeatures])
        #expect(await daemon.manager.networks.list(visibleTo: nil).map(\.config.name) == ["lan"])
    }

    @Test("an instance with an access or trunk NIC gets its tap with the NIC's VLAN plan applied, on every start")
    func portAccepted() async throws {
        let daemon = try await Daemon.make()
        defer { daemon.cleanUp() }
        _ = try await daemon.manager.networks.create(NetworkCreate(name: "lab", type: .isolated, subnet: try IPv4Subnet(parsing: "10.78.0.0/24")))
        _ = try await daemon.manager.networks.create(NetworkCreate(name: "lan10", type: .bridge, parent: "eth0", vlan: 10))
        let web = try await daemon.create("web", nics: ["network=lan,vlan=10", "network=lab,tagged=20:30", "network=lan10"])
        #expect(web.config.nics.map(\.vlan) == [.access(10), .trunk([20, 30]), nil])
        let lan = try await daemon.manager.networks.layout(of: "lan"), lab = try await daemon.manager.networks.layout(of: "lab")
        let uplink = try VLANPlan.uplink(of: try await daemon.manager.networks.layout(of: "lan10"))
        let supervisor = try await daemon.manager.supervisor("web", in: "default")
        try await supervisor.start()
        // Each NIC's plan comes in two: the bridge's part before the tap is made, the port's after.
        let expected = try [
            VLANPlan.port(daemon.tap("web", 0), on: lan, carrying: .access(10)),
            VLANPlan.port(daemon.tap("web", 1), on: lab, carrying: .trunk([20, 30])),
        ].flatMap { [$0.bridgeFirst.bridge, $0.bridgeFirst.rest] }
        #expect(daemon.host.vlanPlans == [uplink] + expected)
        #expect(daemon.host.taps.count == 3)
        try await supervisor.stop(force: true, timeout: hangTimeout)
        try await supervisor.start()
        #expect(daemon.host.vlanPlans == [uplink] + expected + expected)
        try await supervisor.stop(force: true, timeout: hangTimeout)
        // The kernel was asked once, however often VLANs were needed since.
        #expect(daemon.host.count(.probeFeatures) == 1)
    }

    @Test("on a kernel without bridge VLAN filtering an instance with a VLAN NIC is refused, naming the feature, and nothing is made")
    func portRefused() async throws {
        let daemon = try await Daemon.make(features: Self.noVLANs)
        defer { daemon.cleanUp() }
        daemon.host.clearCalls()
        for nic in ["network=lan,vlan=10", "network=lan,tagged=10:20"] {
            let refused = await #expect(throws: JoistError.self) { try await daemon.create("web", nics: ["network=lan", nic]) }
            #expect(refused?.code == .unsupported)
            #expect(refused?.message.hasPrefix(
                "this host's kernel has no bridge VLAN filtering (CONFIG_BRIDGE_VLAN_FILTERING); NIC eth1 of instance web ("
                    + nic.dropFirst("network=lan,".count) + ") cannot be honoured (trying it answered: RTNETLINK answers: Operation not supported)") == true,
                "\(refused?.message ?? "")")
        }
        #expect(await daemon.manager.count() == 0)
        #expect(await daemon.manager.networks.users(of: "lan").isEmpty)
        #expect(daemon.host.calls.map(\.step) == [.probeFeatures])
        // NICs without VLANs are unaffected.
        try await daemon.create("web", nics: ["network=lan"])
    }
}
