import Foundation
import JoistCore
import Testing

@testable import Networking

/// VLANs as data: network configs with a `vlan`, the layouts they make, the plans of host changes
/// (pinned as golden text), and the refusal a host without the kernel feature gives.
@Suite("VLANs: configs, layouts and plans")
struct VLANPlanTests {
    static func lan10() throws -> NetworkLayout {
        try NetworkLayout(NetworkConfig(name: "lan10", kind: .bridge, parent: "eth0", vlan: 10))
    }

    static let tap = LinkNames.tap(for: NICIdentity(project: "default", instance: "web-1", index: 0))

    @Test("a bridge network on a VLAN gets a bridge and a VLAN interface of its own, both Joist's")
    func uplinkLayout() throws {
        let layout = try Self.lan10()
        #expect(layout.bridge == LinkNames.bridge(network: "lan10"))
        #expect(layout.ownsBridge)
        #expect(layout.addressing == nil && !layout.isRouted)
        let uplink = try #require(layout.uplink)
        #expect(uplink.parent == "eth0" && uplink.id == 10)
        #expect(uplink.name == LinkNames.vlanLink(network: "lan10"))
        #expect(uplink.name.hasPrefix("jv-") && uplink.name.utf8.count <= InterfaceName.maxLength)
        #expect(try InterfaceName.validate(uplink.name) == uplink.name)
        #expect(LinkNames.isJoistLink(uplink.name))
        // Without a vlan, a bridge network still joins its parent itself.
        let plain = try Samples.lan()
        #expect(plain.uplink == nil && plain.bridge == "br0" && !plain.ownsBridge)
    }

    @Test("only bridge networks take a vlan, from 1 to 4094", arguments: [
        (NetworkConfig(name: "web", kind: .nat, vlan: 10),
         "network web is nat: only bridge networks sit on a VLAN of their parent (got vlan 10); give its NICs a VLAN instead (--nic network=web,vlan=10)"),
        (NetworkConfig(name: "lab", kind: .isolated, vlan: 10),
         "network lab is isolated: only bridge networks sit on a VLAN of their parent (got vlan 10); give its NICs a VLAN instead (--nic network=lab,vlan=10)"),
        (NetworkConfig(name: "lan", kind: .bridge, parent: "eth0", vlan: 0), "network lan's vlan 0 is not a VLAN id: 802.1Q ids go from 1 to 4094"),
        (NetworkConfig(name: "lan", kind: .bridge, parent: "eth0", vlan: 4095), "network lan's vlan 4095 is not a VLAN id: 802.1Q ids go from 1 to 4094"),
        (NetworkConfig(name: "lan", kind: .bridge, vlan: 10),
         "bridge network lan needs a parent: the host interface or bridge its instances join, e.g. --parent br0"),
        (NetworkConfig(name: "lan", kind: .bridge, parent: "jv-0123456789ab", vlan: 10),
         "network lan cannot use jv-0123456789ab as its parent: Joist manages that link for another network or NIC"),
    ])
    func invalidNetworkVLAN(config: NetworkConfig, message: String) {
        #expect(throws: JoistError.invalidArgument(message)) { try config.validate() }
    }

    @Test("a network's vlan is stored as a number and may be absent")
    func networkCoding() throws {
        let config = NetworkConfig(name: "lan10", kind: .bridge, parent: "eth0", vlan: 10)
        let json = try JSONEncoder().encode(config)
        #expect(String(decoding: json, as: UTF8.self).contains(#""vlan":10"#))
        #expect(try JSONDecoder().decode(NetworkConfig.self, from: json) == config)
    }

    @Test("golden: a bridge network's VLAN interface is made on its parent and joined to its bridge, and removed")
    func uplinkGolden() throws {
        let layout = try Self.lan10()
        try Golden.check("vlan-uplink.txt", try VLANPlan.uplink(of: layout).description)
        try Golden.check("vlan-uplink-remove.txt", try VLANPlan.removeUplink(of: layout).description)
        #expect(try VLANPlan.uplink(of: layout).features == [.vlanInterfaces])
        #expect(try VLANPlan.uplink(of: Samples.lan()).isEmpty)
        #expect(try VLANPlan.removeUplink(of: Samples.web()).isEmpty)
    }

    @Test("golden: an access port on Joist's bridge turns filtering on, joins its VLAN untagged and leaves VLAN 1")
    func accessGolden() throws {
        let plan = try VLANPlan.port(Self.tap, on: Samples.web(), carrying: .access(10))
        try Golden.check("vlan-access-port.txt", plan.description)
        #expect(plan.features == [.bridgeVLANFiltering])
        #expect(plan.steps.first == .enableFiltering(bridge: try Samples.web().bridge))
        // The bridge's part goes before the tap is made, the port's after; together they are the plan.
        #expect(plan.bridgeFirst.bridge.steps == [.enableFiltering(bridge: try Samples.web().bridge)])
        #expect(plan.bridgeFirst.bridge.steps + plan.bridgeFirst.rest.steps == plan.steps)
    }

    @Test("golden: a trunk carries each VLAN tagged and nothing untagged; on the host's bridge filtering is required, not set")
    func trunkGolden() throws {
        try Golden.check("vlan-trunk-port.txt", try VLANPlan.port(Self.tap, on: Samples.lan(), carrying: .trunk([10, 20, 30])).description)
        // A trunk that lists VLAN 1 keeps it (tagged) instead of leaving it.
        let withOne = try VLANPlan.port(Self.tap, on: Self.lan10(), carrying: .trunk([1, 20]))
        try Golden.check("vlan-trunk-port-vlan1.txt", withOne.description)
        #expect(!withOne.steps.contains { if case .deleteVLAN = $0 { true } else { false } })
    }

    @Test("a NIC without VLANs needs no plan and no kernel feature")
    func untaggedPort() throws {
        #expect(try VLANPlan.port(Self.tap, on: Samples.web(), carrying: nil).isEmpty)
        #expect(HostNetworkFeatures.needed(by: NICSpec(network: "web")).isEmpty)
        #expect(HostNetworkFeatures.needed(by: NICSpec(network: "web", vlan: .access(10))) == [.bridgeVLANFiltering])
        #expect(HostNetworkFeatures.needed(by: NetworkConfig(name: "lan10", kind: .bridge, parent: "eth0", vlan: 10)) == [.vlanInterfaces])
    }

    @Test("plans refuse names and ids that must not reach a command line", arguments: [
        ("jt-x y", VLANPort.access(10), "tap device name 'jt-x y' may not contain whitespace, '/', ':', '%', quotes or characters outside ASCII"),
        ("jt-0123456789abcd", VLANPort.access(10), "tap device name 'jt-0123456789abcd' is longer than Linux's 15 bytes"),
        ("jt-0123456789ab", VLANPort.access(4095), "NIC vlan 4095 is not a VLAN id: 802.1Q ids go from 1 to 4094"),
        ("jt-0123456789ab", VLANPort.trunk([]), "a trunk NIC needs at least one VLAN: tagged=10:20"),
    ])
    func refusesBadInput(tap: String, vlan: VLANPort, message: String) throws {
        #expect(throws: JoistError.invalidArgument(message)) { try VLANPlan.port(tap, on: Samples.web(), carrying: vlan) }
    }

    @Test("a host without a feature refuses what needs it, naming the kernel feature; one with it accepts")
    func refusal() throws {
        let host = HostNetworkFeatures(missing: [.bridgeVLANFiltering: "RTNETLINK answers: Operation not supported"])
        let error = #expect(throws: JoistError.self) {
            try host.require([.bridgeVLANFiltering], for: "NIC 0 of instance web-1 (vlan=10)")
        }
        #expect(error?.code == .unsupported)
        #expect(error?.message == "this host's kernel has no bridge VLAN filtering (CONFIG_BRIDGE_VLAN_FILTERING); "
            + "NIC 0 of instance web-1 (vlan=10) cannot be honoured (trying it answered: RTNETLINK answers: Operation not supported). "
            + "Use a host whose kernel has it, or leave the VLAN out")
        try host.require([.vlanInterfaces], for: "network lan10's vlan 10")
        try host.require([], for: "an untagged NIC")
        try HostNetworkFeatures.all.require(Set(HostNetworkFeature.allCases), for: "anything")
    }

    @Test("the wire form says which features the host has, without the probe's details")
    func featuresCoding() throws {
        let host = HostNetworkFeatures(missing: [.vlanInterfaces: "Error: Unknown device type."])
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        #expect(String(decoding: try encoder.encode(host), as: UTF8.self) == #"{"bridgeVLANFiltering":true,"vlanInterfaces":false}"#)
        #expect(try JSONDecoder().decode(HostNetworkFeatures.self, from: try encoder.encode(host)).supports(.vlanInterfaces) == false)
    }
}
