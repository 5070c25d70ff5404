import Foundation
import HostKit
import JoistCore
import Testing

@testable import Networking

/// `LinuxHostNetwork` against the real kernel: bridges, taps, routes and nftables, each test in a
/// network namespace of its own.
@Suite("LinuxHostNetwork: links, routes and rules in a namespace")
struct LinuxHostNetworkTests {
    static func nat(_ name: String = "web", _ subnet: String = "10.1.2.0/24") throws -> NetworkLayout {
        try NetworkLayout(NetworkConfig(name: name, kind: .nat, subnet: Samples.subnet(subnet)))
    }

    @Test("ensureBridge makes the bridge up, with its fixed MAC and the gateway address; a second call changes nothing")
    func bridgeIdempotent() async throws {
        try await TestNamespace.with { namespaces in
            let ns = namespaces[0], layout = try Self.nat()
            try await ns.setSysctl("net.ipv4.ip_forward", "0")
            try await ns.driver.ensureBridge(layout)
            let first = try await ns.snapshot()
            try await ns.driver.ensureBridge(layout)
            #expect(try await ns.snapshot() == first)

            let bridge = try #require(try await ns.link(layout.bridge))
            #expect(bridge.isBridge && bridge.isUp)
            #expect(bridge.ipv4Addresses == ["10.1.2.1/24"])
            #expect(bridge.mac == (try LinuxHostNetwork.bridgeMAC(network: "web")).description)
            #expect(bridge.mac?.hasPrefix("02:") == true)
            #expect(try await ns.sysctl("net.ipv4.ip_forward") == "1")
        }
    }

    @Test("ensureBridge puts back a bridge someone changed: address, MAC and state")
    func bridgeRepaired() async throws {
        try await TestNamespace.with { namespaces in
            let ns = namespaces[0], layout = try Self.nat()
            try await ns.driver.ensureBridge(layout)
            let wanted = try await ns.snapshot()
            try await ns.ip("addr", "flush", "dev", layout.bridge)
            try await ns.ip("addr", "add", "10.9.9.1/24", "dev", layout.bridge)
            try await ns.ip("link", "set", "dev", layout.bridge, "down", "address", "02:00:00:00:00:99")
            #expect(try await ns.snapshot() != wanted)
            try await ns.driver.ensureBridge(layout)
            #expect(try await ns.snapshot() == wanted)
        }
    }

    @Test("an isolated network's bridge leaves IPv4 forwarding off")
    func isolatedNoForwarding() async throws {
        try await TestNamespace.with { namespaces in
            let ns = namespaces[0]
            let layout = try NetworkLayout(NetworkConfig(name: "lab", kind: .isolated, subnet: Samples.subnet("10.7.0.0/28")))
            try await ns.setSysctl("net.ipv4.ip_forward", "0")
            try await ns.driver.ensureBridge(layout)
            #expect(try await ns.link(layout.bridge)?.ipv4Addresses == ["10.7.0.1/28"])
            #expect(try await ns.sysctl("net.ipv4.ip_forward") == "0")
        }
    }

    @Test("a bridge network needs its parent to exist and be a bridge, and Joist changes nothing of it")
    func bridgeNetworkParent() async throws {
        try await TestNamespace.with { namespaces in
            let ns = namespaces[0]
            let lan = try NetworkLayout(NetworkConfig(name: "lan", kind: .bridge, parent: "br-lan"))
            let missing = await #expect(throws: JoistError.self) { try await ns.driver.ensureBridge(lan) }
            #expect(missing?.code == .notFound)
            #expect(missing?.message.contains("br-lan") == true && missing?.message.contains("--parent") == true)

            try await ns.ip("link", "add", "br-lan", "type", "bridge")
            let before = try await ns.snapshot()
            try await ns.driver.ensureBridge(lan)
            try await ns.driver.removeBridge(lan)
            #expect(try await ns.snapshot() == before)

            try await ns.ip("link", "add", "eth-lan", "type", "veth", "peer", "name", "eth-peer")
            let veth = try NetworkLayout(NetworkConfig(name: "lan", kind: .bridge, parent: "eth-lan"))
            let notBridge = await #expect(throws: JoistError.self) { try await ns.driver.ensureBridge(veth) }
            #expect(notBridge?.code == .invalidArgument)
            #expect(notBridge?.message.contains("eth-lan is a veth interface, not a bridge") == true)
        }
    }

    @Test("ensureTap joins a persistent tap to the bridge, twice the same; removeBridge takes the bridge and its taps, not other ports")
    func tapsAndRemoval() async throws {
        try await TestNamespace.with { namespaces in
            let ns = namespaces[0], layout = try Self.nat()
            let tap = LinkNames.tap(for: NICIdentity(project: "default", instance: "web-1", index: 0))
            try await ns.driver.ensureBridge(layout)
            try await ns.driver.ensureTap(tap, bridge: layout.bridge)
            let first = try await ns.snapshot()
            try await ns.driver.ensureTap(tap, bridge: layout.bridge)
            #expect(try await ns.snapshot() == first)
            let link = try #require(try await ns.link(tap))
            #expect(link.isTap && link.isUp && link.master == layout.bridge)

            try await ns.ip("link", "add", "port0", "type", "veth", "peer", "name", "port1")
            try await ns.ip("link", "set", "port0", "master", layout.bridge)
            try await ns.driver.removeBridge(layout)
            #expect(try await ns.link(layout.bridge) == nil)
            #expect(try await ns.link(tap) == nil)
            #expect(try await ns.link("port0")?.master == nil)
            try await ns.driver.removeBridge(layout)
            try await ns.driver.removeTap(tap)
        }
    }

    @Test("a tap whose bridge is missing is refused and not left behind")
    func tapWithoutBridge() async throws {
        try await TestNamespace.with { namespaces async throws in
            let ns = namespaces[0]
            let error = await #expect(throws: JoistError.self) { try await ns.driver.ensureTap("jt-000000000001", bridge: "jb-000000000001") }
            #expect(error?.message.contains("cannot join tap device jt-000000000001 to bridge jb-000000000001") == true)
            #expect(try await ns.link("jt-000000000001") == nil)
        }
    }

    @Test("links that are not Joist's are refused before any command runs", arguments: ["eth0", "br0", "jb-x/y", ""])
    func foreignLinks(name: String) async throws {
        let driver = LinuxHostNetwork(namespace: "joist-test-never-created")
        let tap = await #expect(throws: JoistError.self) { try await driver.ensureTap(name, bridge: "jb-000000000001") }
        #expect(tap?.code == .invalidArgument)
        let removal = await #expect(throws: JoistError.self) { try await driver.removeTap(name) }
        #expect(removal?.code == .invalidArgument)
    }

    @Test("every command runs inside the namespace: a missing one is an error naming it")
    func missingNamespace() async throws {
        let error = await #expect(throws: JoistError.self) {
            _ = try await LinuxHostNetwork(namespace: "joist-test-never-created").routedSubnets()
        }
        #expect(error?.code == .hostFailure)
        #expect(error?.message.contains("joist-test-never-created") == true)
    }

    @Test("routedSubnets lists the namespace's prefixes, blackholes and own addresses, never a default route")
    func routes() async throws {
        try await TestNamespace.with { namespaces in
            let ns = namespaces[0]
            #expect(try await ns.driver.routedSubnets().isEmpty)
            try await ns.ip("link", "add", "up0", "type", "veth", "peer", "name", "up1")
            try await ns.ip("link", "set", "up1", "up")
            try await ns.ip("link", "set", "up0", "up")
            try await ns.ip("addr", "add", "10.77.0.1/24", "dev", "up0")
            try await ns.ip("addr", "add", "10.66.5.5/32", "dev", "up0")
            try await ns.ip("route", "add", "10.88.0.0/16", "via", "10.77.0.2")
            try await ns.ip("route", "add", "blackhole", "10.99.0.0/24")
            try await ns.ip("route", "add", "default", "via", "10.77.0.2")
            let subnets = try await ns.driver.routedSubnets().map(\.description)
            #expect(subnets == ["10.66.5.5/32", "10.77.0.0/24", "10.77.0.1/32", "10.88.0.0/16", "10.99.0.0/24"])
        }
    }

    @Test("applyRuleset twice leaves the same table; route_localnet follows loopback forwards")
    func ruleset() async throws {
        try await TestNamespace.with { namespaces in
            let ns = namespaces[0], layout = try Self.nat()
            let forward = PortForward(listenAddress: try Samples.address("127.0.0.1"), listenPort: 2222,
                                      targetAddress: try Samples.address("10.1.2.10"), targetPort: 22)
            let withForward = try NFTablesRuleset.render([.init(layout: layout, forwards: [forward])])
            let routeLocalnet = "net.ipv4.conf.\(layout.bridge).route_localnet"

            let missing = await #expect(throws: JoistError.self) { try await ns.driver.applyRuleset(withForward) }
            #expect(missing?.message.contains("route_localnet") == true)

            try await ns.driver.ensureBridge(layout)
            try await ns.driver.applyRuleset(withForward)
            let first = try await ns.exec("nft", ["list", "table", "inet", "joist"]).stdout
            try await ns.driver.applyRuleset(withForward)
            #expect(try await ns.exec("nft", ["list", "table", "inet", "joist"]).stdout == first)
            #expect(first.contains("dnat ip to 10.1.2.10:22") && first.contains("chain into-web"))
            #expect(try await ns.sysctl(routeLocalnet) == "1")

            try await ns.driver.applyRuleset(NFTablesRuleset.render([.init(layout: layout)]))
            let without = try await ns.exec("nft", ["list", "table", "inet", "joist"]).stdout
            #expect(!without.contains("dnat") && without.contains("chain into-web"))
            #expect(try await ns.sysctl(routeLocalnet) == "0")
        }
    }
}
