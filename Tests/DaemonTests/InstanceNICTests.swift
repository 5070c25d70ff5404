import Foundation
import JoistAPI
import JoistCore
import JoistTesting
import Networking
import QMP
import Testing

@testable import Daemon

/// `joist nic add|remove` below the API: numbering, networks joined and left, MACs, reservations,
/// taps, hot-plug into a running guest, and the addresses shown from the lease file.
@Suite("Instances: adding and removing NICs", .timeLimit(.minutes(1)))
struct InstanceNICTests {
    @Test("a NIC added to a stopped instance is the next ethN, joins the network with a MAC of its own and is reserved")
    func addStopped() async throws {
        let daemon = try await NetworkedDaemon.make()
        defer { daemon.cleanUp() }
        try await daemon.create("web", nics: ["user"])
        let web = try await daemon.manager.addNIC("network=lan,ip=10.77.0.30", to: "web", in: "default")
        #expect(web.config.nics.map(\.id) == [0, 1])
        #expect(web.nics.map(\.name) == ["eth0", "eth1"])
        let added = try #require(web.config.nics[1].mac)
        #expect(added == MACAddress.stable(for: NICIdentity(project: "default", instance: "web", index: 1)))
        #expect(daemon.hosts(of: "lan") == ["\(added),10.77.0.30,web"])
        #expect(await daemon.manager.networks.users(of: "lan").map(\.description) == ["web"])
        // One instance, one name: a second NIC on the same network is refused, and changes nothing.
        let twice = await #expect(throws: JoistError.self) { try await daemon.manager.addNIC("network=lan", to: "web", in: "default") }
        #expect(twice?.message.hasPrefix("web has two NICs on network lan") == true)
        #expect(try await daemon.manager.supervisor("web", in: "default").snapshot().config == web.config)
        #expect(daemon.hosts(of: "lan") == ["\(added),10.77.0.30,web"])
        // Stopped: no tap yet, the next start makes it.
        #expect(daemon.host.taps.isEmpty)
    }

    @Test("removing a NIC keeps the others' names, MACs and taps; a NIC added later takes the free name")
    func removeKeepsNames() async throws {
        let daemon = try await NetworkedDaemon.make()
        defer { daemon.cleanUp() }
        _ = try await daemon.manager.networks.create(NetworkCreate(name: "db", type: .isolated, subnet: try IPv4Subnet(parsing: "10.78.0.0/24")))
        let created = try await daemon.create("web", nics: ["network=db", "user", "network=lan"])
        let kept = try #require(created.config.nics[2].mac)
        let keptAddress = try #require(created.config.nics[2].ip)
        let removed = try await daemon.manager.removeNIC("eth0", from: "web", in: "default")
        #expect(removed.nics.map(\.name) == ["eth1", "eth2"])
        #expect(removed.config.nics[1].mac == kept)
        #expect(daemon.hosts(of: "lan") == ["\(kept),\(keptAddress),web"])
        #expect(daemon.host.count(.removeTap, daemon.tap("web", 0)) == 1)
        #expect(await daemon.manager.networks.users(of: "lan").map(\.description) == ["web"])
        #expect(await daemon.manager.networks.users(of: "db").isEmpty)
        let readded = try await daemon.manager.addNIC("network=db", to: "web", in: "default")
        #expect(readded.nics.map(\.name) == ["eth1", "eth2", "eth0"])
        // By its MAC, too.
        let byMAC = try await daemon.manager.removeNIC(kept.description, from: "web", in: "default")
        #expect(byMAC.nics.map(\.name) == ["eth1", "eth0"])
    }

    @Test("a NIC on another network joins it, and removing it leaves it, so the network can be deleted")
    func joinsAndLeaves() async throws {
        let daemon = try await NetworkedDaemon.make()
        defer { daemon.cleanUp() }
        _ = try await daemon.manager.networks.create(NetworkCreate(name: "db", type: .isolated, subnet: try IPv4Subnet(parsing: "10.78.0.0/24")))
        try await daemon.create("web", nics: ["user"])
        _ = try await daemon.manager.addNIC("network=db", to: "web", in: "default")
        #expect(await daemon.manager.networks.users(of: "db").map(\.description) == ["web"])
        #expect(daemon.hosts(of: "db").count == 1)
        let refused = await #expect(throws: JoistError.self) { try await daemon.manager.networks.delete("db") }
        #expect(refused?.code == .invalidState)
        _ = try await daemon.manager.removeNIC("eth1", from: "web", in: "default")
        #expect(await daemon.manager.networks.users(of: "db").isEmpty)
        #expect(daemon.hosts(of: "db").isEmpty)
        #expect(await daemon.manager.networkNICs[InstanceKey(project: "default", name: "web")] == nil)
        try await daemon.manager.networks.delete("db")
    }

    @Test("a NIC that cannot join (unknown network, address taken) changes nothing")
    func refusedJoinChangesNothing() async throws {
        let daemon = try await NetworkedDaemon.make()
        defer { daemon.cleanUp() }
        try await daemon.create("db", nics: ["network=lan,ip=10.77.0.20"])
        let web = try await daemon.create("web", nics: ["user"])
        let before = daemon.hosts(of: "lan")
        let unknown = await #expect(throws: JoistError.self) { try await daemon.manager.addNIC("network=nope", to: "web", in: "default") }
        #expect(unknown?.message == "network nope not found")
        let taken = await #expect(throws: JoistError.self) {
            try await daemon.manager.addNIC("network=lan,ip=10.77.0.20", to: "web", in: "default")
        }
        #expect(taken?.message == "db and web both ask for 10.77.0.20 on network lan")
        let after = try await daemon.manager.supervisor("web", in: "default").snapshot()
        #expect(after.config == web.config)
        #expect(daemon.hosts(of: "lan") == before)
        #expect(await daemon.manager.networks.users(of: "lan").map(\.description) == ["db"])
        #expect(await daemon.manager.networkNICs[InstanceKey(project: "default", name: "web")] == nil)
    }

    @Test("NICs are named ethN or by MAC; anything else is refused, an unknown one is not found")
    func references() async throws {
        let daemon = try await NetworkedDaemon.make()
        defer { daemon.cleanUp() }
        try await daemon.create("web", nics: ["network=lan"])
        let bad = await #expect(throws: JoistError.self) { try await daemon.manager.removeNIC("lan", from: "web", in: "default") }
        #expect(bad == .invalidArgument("'lan' names no NIC: give its name (eth0, eth1, …) or its MAC address"))
        let missing = await #expect(throws: JoistError.self) { try await daemon.manager.removeNIC("eth3", from: "web", in: "default") }
        #expect(missing == .notFound("instance web has no NIC eth3 (its NICs: eth0)"))
        let malformed = await #expect(throws: JoistError.self) { try await daemon.manager.addNIC("network=lan,vlan=3", to: "web", in: "default") }
        #expect(malformed?.code == .invalidArgument)
    }

    @Test("into a running guest: the tap first, then netdev_add and device_add behind a free port; removal unplugs, then the tap goes")
    func hotplug() async throws {
        let launcher = FakeVMLauncher { command in
            switch command.name {
            case "query-pci":
                .success([["bus": 0, "devices": [
                    ["bus": 0, "slot": 2, "function": 0, "qdev_id": "port1", "pci_bridge": ["bus": [:], "devices": []]],
                ]]])
            case "qom-list": .success([["name": "net1-nic", "type": "child<virtio-net-pci>"]])
            case "quit": .successThenDisconnect([:])
            default: .success([:])
            }
        }
        let daemon = try await NetworkedDaemon.make(launcher: launcher)
        defer { daemon.cleanUp() }
        _ = try await daemon.manager.networks.create(NetworkCreate(name: "db", type: .isolated, subnet: try IPv4Subnet(parsing: "10.78.0.0/24")))
        try await daemon.create("web", nics: ["network=lan"])
        let supervisor = try await daemon.manager.supervisor("web", in: "default")
        try await supervisor.start()
        let vm = try #require(launcher.last)
        let web = try await daemon.manager.addNIC("network=db", to: "web", in: "default")
        #expect(daemon.host.taps.keys.sorted() == [daemon.tap("web", 0), daemon.tap("web", 1)].sorted())
        let plugged = vm.qmp.commands.filter { ["netdev_add", "device_add"].contains($0.name) }
        #expect(plugged.map(\.name) == ["netdev_add", "device_add"])
        #expect(plugged.first?.arguments?["ifname"] == .string(daemon.tap("web", 1)))
        #expect(plugged.last?.arguments?["id"] == "net1-nic" && plugged.last?.arguments?["bus"] == "port1")
        #expect(plugged.last?.arguments?["mac"] == .string(try #require(web.config.nics[1].mac).description))

        async let removed = daemon.manager.removeNIC("eth1", from: "web", in: "default")
        try #require(await eventually { vm.qmp.commands.contains { $0.name == "device_del" } })
        await vm.qmp.emit("DEVICE_DELETED", data: ["device": "net1-nic", "path": "/machine/peripheral/net1-nic"])
        #expect(try await removed.nics.map(\.name) == ["eth0"])
        #expect(vm.qmp.commands.last?.name == "netdev_del")
        #expect(daemon.host.taps.keys.sorted() == [daemon.tap("web", 0)])
        try await supervisor.stop(force: true, timeout: hangTimeout)
    }

    @Test("the addresses shown are those the network's lease file gives the NIC's MAC, read again when it changes")
    func leasedAddresses() async throws {
        let daemon = try await NetworkedDaemon.make()
        defer { daemon.cleanUp() }
        let web = try await daemon.create("web", nics: ["user", "network=lan,ip=10.77.0.30"])
        let mac = try #require(web.config.nics[1].mac)
        #expect(web.nics.map(\.addresses) == [[], []])
        let leases = daemon.directory + "/networks/lan/dnsmasq.leases"
        try "0 \(mac) 10.77.0.30 web *\n0 52:54:00:00:00:99 10.77.0.99 other *\n".write(toFile: leases, atomically: true, encoding: .utf8)
        let supervisor = try await daemon.manager.supervisor("web", in: "default")
        let leased = await supervisor.snapshot()
        #expect(leased.nics[1] == InstanceNIC(
            name: "eth1", mode: .network, network: "lan", mac: mac, ip: IPv4Address(10, 77, 0, 30), addresses: [IPv4Address(10, 77, 0, 30)]))
        #expect(leased.addresses == [IPv4Address(10, 77, 0, 30)])
        // An expired lease is not shown; a new file is read again.
        try "1 \(mac) 10.77.0.30 web *\n".write(toFile: leases, atomically: true, encoding: .utf8)
        #expect(await supervisor.snapshot().addresses.isEmpty)
    }

    @Test("a restarted daemon starts each dnsmasq once, with the instances' reservations, never without them")
    func restartKeepsReservations() async throws {
        let daemon = try await NetworkedDaemon.make()
        defer { daemon.cleanUp() }
        try await daemon.create("web", nics: ["network=lan"])
        let reserved = daemon.hosts(of: "lan")
        try #require(reserved.count == 1)
        daemon.host.clearCalls()
        let env = await daemon.manager.env
        let restarted = InstanceManager.testing(env: env, host: daemon.host)
        try await restarted.projects.load()
        try await restarted.networks.load(deferringToInstances: true)
        #expect(daemon.host.count(.ensureDNSMasq) == 0)
        #expect(daemon.hosts(of: "lan") == reserved)
        try await restarted.load()
        #expect(daemon.host.count(.ensureDNSMasq) == 1)
        #expect(daemon.hosts(of: "lan") == reserved)
    }
}
