import Foundation
import HostKit
import JoistCore
import Testing

@testable import Networking

/// `LinuxHostNetwork`'s VLAN steps against the real kernel, each test in a namespace of its own:
/// what every kernel can show (a VLAN network's own bridge, the checks before a change), and the
/// whole plans where the kernel has the features.
@Suite("LinuxHostNetwork: VLAN plans in a namespace")
struct LinuxHostNetworkVLANTests {
    static func lan10(parent: String = "eth-lan") throws -> NetworkLayout {
        try NetworkLayout(NetworkConfig(name: "lan10", kind: .bridge, parent: parent, vlan: 10))
    }

    @Test("a bridge network on a VLAN gets a bridge of Joist's without an address; twice changes nothing; removeBridge takes it")
    func ownBridge() async throws {
        try await TestNamespace.with { namespaces in
            let ns = namespaces[0], layout = try Self.lan10()
            try await ns.driver.ensureBridge(layout)
            let first = try await ns.snapshot()
            try await ns.driver.ensureBridge(layout)
            #expect(try await ns.snapshot() == first)
            let bridge = try #require(try await ns.link(layout.bridge))
            #expect(bridge.isBridge && bridge.isUp && bridge.ipv4Addresses.isEmpty)
            try await ns.driver.removeBridge(layout)
            #expect(try await ns.link(layout.bridge) == nil)
        }
    }

    @Test("a host's bridge that does not filter VLANs is refused for a VLAN NIC, saying how to turn it on, and left as it is")
    func hostBridgeMustFilter() async throws {
        try await TestNamespace.with { namespaces in
            let ns = namespaces[0]
            try await ns.ip("link", "add", "br0", "type", "bridge")
            let before = try await ns.snapshot()
            let layout = try NetworkLayout(NetworkConfig(name: "lan", kind: .bridge, parent: "br0"))
            let plan = try VLANPlan.port("jt-000000000001", on: layout, carrying: .access(10))
            let error = await #expect(throws: JoistError.self) { try await ns.driver.applyVLANPlan(plan) }
            #expect(error?.code == .invalidState)
            #expect(error?.message.hasPrefix(
                "the host's bridge br0 does not filter by VLAN, so NICs with VLANs on it would not be kept apart: "
                    + "turn it on (ip link set dev br0 type bridge vlan_filtering 1)") == true, "\(String(describing: error))")
            #expect(try await ns.snapshot() == before)
        }
    }

    @Test("a VLAN interface is not made on a parent that does not exist, nor over a link of another kind with its name")
    func uplinkChecks() async throws {
        try await TestNamespace.with { namespaces in
            let ns = namespaces[0], layout = try Self.lan10(parent: "eth-missing")
            let plan = try VLANPlan.uplink(of: layout)
            let missing = await #expect(throws: JoistError.self) { try await ns.driver.applyVLANPlan(plan) }
            #expect(missing?.message == "cannot create VLAN 10 on eth-missing: the host has no interface eth-missing")

            let name = try #require(layout.uplink?.name)
            try await ns.ip("link", "add", name, "type", "veth", "peer", "name", "other")
            let taken = await #expect(throws: JoistError.self) { try await ns.driver.applyVLANPlan(plan) }
            #expect(taken?.code == .alreadyExists)
            #expect(taken?.message.contains("a veth link has that name") == true, "\(String(describing: taken))")
            // Removing a VLAN interface that is not there is done; Joist never removes a link of another prefix.
            try await ns.driver.applyVLANPlan(VLANPlan([.deleteLink("jv-000000000001")]))
            await #expect(throws: JoistError.self) { try await ns.driver.applyVLANPlan(VLANPlan([.deleteLink("other")])) }
            #expect(try await ns.link("other") != nil)
        }
    }

    @Test(
        "where the kernel has 802.1Q, a network's VLAN interface is made on its parent, joined to its bridge, twice the same, and removed",
        .enabled("this host's kernel has no 802.1Q VLAN interfaces (CONFIG_VLAN_8021Q)") { await KernelFeatures.has(.vlanInterfaces) })
    func uplinkApplied() async throws {
        try await TestNamespace.with { namespaces in
            let ns = namespaces[0], layout = try Self.lan10()
            try await ns.ip("link", "add", "eth-lan", "type", "veth", "peer", "name", "eth-peer")
            try await ns.driver.ensureBridge(layout)
            try await ns.driver.applyVLANPlan(try VLANPlan.uplink(of: layout))
            let first = try await ns.snapshot()
            try await ns.driver.applyVLANPlan(try VLANPlan.uplink(of: layout))
            #expect(try await ns.snapshot() == first)
            let name = try #require(layout.uplink?.name)
            let uplink = try #require(try await ns.link(name))
            #expect(uplink.kind == "vlan" && uplink.info?.vlanID == 10 && uplink.master == layout.bridge && uplink.isUp)
            try await ns.driver.applyVLANPlan(try VLANPlan.removeUplink(of: layout))
            #expect(try await ns.link(uplink.name) == nil)
            #expect(try await ns.link("eth-lan") != nil)
        }
    }

    @Test(
        "where bridges filter VLANs, an access port's tap is in its VLAN only, untagged, and applying twice succeeds",
        .enabled("this host's kernel has no bridge VLAN filtering (CONFIG_BRIDGE_VLAN_FILTERING)") {
            await KernelFeatures.has(.bridgeVLANFiltering)
        })
    func portApplied() async throws {
        try await TestNamespace.with { namespaces in
            let ns = namespaces[0], layout = try LinuxHostNetworkTests.nat()
            let tap = "jt-000000000001"
            try await ns.driver.ensureBridge(layout)
            try await ns.driver.ensureTap(tap, bridge: layout.bridge)
            let plan = try VLANPlan.port(tap, on: layout, carrying: .access(10))
            try await ns.driver.applyVLANPlan(plan)
            try await ns.driver.applyVLANPlan(plan)
            #expect(try await ns.link(layout.bridge)?.filtersVLANs == true)
            let shown = try await ns.exec("bridge", ["-j", "vlan", "show", "dev", tap])
            #expect(shown.stdout.contains(#""vlan":10"#) && !shown.stdout.contains(#""vlan":1,"#), "\(shown.stdout)")
        }
    }
}

/// The kernel's VLAN features as the driver probes them, for `.enabled`: the tests that need one
/// run only where the kernel has it.
enum KernelFeatures {
    static func has(_ feature: HostNetworkFeature) async -> Bool {
        await LinuxHostNetwork().probeFeatures().supports(feature)
    }
}
