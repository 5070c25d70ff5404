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

/// Instances and networks on a fake host: a manager whose networks act on `host`.
struct NetworkedDaemon {
    let manager: InstanceManager
    let host: FakeHostNetworkDriver
    let launcher: FakeVMLauncher
    let directory: String

    static func make(launcher: FakeVMLauncher = FakeVMLauncher()) async throws -> NetworkedDaemon {
        let directory = "/tmp/jd-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory + "/instances", withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: directory + "/vmlinuz", contents: Data("kernel".utf8))
        let env = DaemonEnvironment(
            stateDirectory: directory, store: InMemoryStore(), launcher: launcher,
            accelerators: AcceleratorResolver(probe: NoKVM()), logger: Logger(label: "test"))
        let host = FakeHostNetworkDriver()
        let manager = InstanceManager.testing(env: env, host: host)
        try await manager.projects.load()
        try await manager.networks.load()
        _ = try await manager.networks.create(NetworkCreate(name: "lan", type: .nat, subnet: try IPv4Subnet(parsing: "10.77.0.0/24")))
        return NetworkedDaemon(manager: manager, host: host, launcher: launcher, directory: directory)
    }

    @discardableResult
    func create(_ name: String, nics: [String], in project: String = "default") async throws -> Instance {
        try await manager.create(
            InstanceCreate(name: name, kernel: directory + "/vmlinuz", memory: "64MiB", nics: nics, accel: .tcg), in: project)
    }

    /// The reservations lines of network `name`'s dnsmasq on the fake host.
    func hosts(of name: String) -> [String] {
        host.dnsmasqs[directory + "/networks/" + name]?.hosts.split(separator: "\n").map(String.init) ?? []
    }

    func tap(_ instance: String, _ index: Int) -> String {
        LinkNames.tap(for: NICIdentity(project: "default", instance: instance, index: index))
    }

    func cleanUp() { try? FileManager.default.removeItem(atPath: directory) }
}

@Suite("Instances on networks: joining, MACs, reservations, taps")
struct InstanceNetworkTests {
    @Test("create joins the network, stores distinct stable MACs and reserves them with the instance's name")
    func createJoins() async throws {
        let daemon = try await NetworkedDaemon.make()
        defer { daemon.cleanUp() }
        let web = try await daemon.create("web", nics: ["network=lan", "user"])
        let db = try await daemon.create("db", nics: ["network=lan,ip=10.77.0.20"])
        let webMAC = try #require(web.config.nics[0].mac)
        let dbMAC = try #require(db.config.nics[0].mac)
        #expect(webMAC != dbMAC)
        #expect(webMAC == MACAddress.stable(for: NICIdentity(project: "default", instance: "web", index: 0)))
        #expect(web.config.nics[1].mac == nil)
        let stored = try await daemon.manager.supervisor("web", in: "default").snapshot()
        #expect(stored.config.nics[0].mac == webMAC)
        #expect(await daemon.manager.networks.users(of: "lan").map(\.description) == ["db", "web"])
        let webIP = try #require(web.config.nics[0].ip)
        #expect(daemon.hosts(of: "lan") == ["\(dbMAC),10.77.0.20,db", "\(webMAC),\(webIP),web"])
    }

    @Test("a MAC another instance already has on the network is avoided")
    func avoidsTakenMAC() async throws {
        let daemon = try await NetworkedDaemon.make()
        defer { daemon.cleanUp() }
        let wanted = MACAddress.stable(for: NICIdentity(project: "default", instance: "web", index: 0))
        try await daemon.create("db", nics: ["network=lan,mac=\(wanted)"])
        let web = try await daemon.create("web", nics: ["network=lan"])
        let mac = try #require(web.config.nics[0].mac)
        #expect(mac != wanted)
    }

    @Test("an unknown network refuses the instance and leaves nothing behind")
    func unknownNetwork() async throws {
        let daemon = try await NetworkedDaemon.make()
        defer { daemon.cleanUp() }
        let refused = await #expect(throws: JoistError.self) { try await daemon.create("web", nics: ["network=lan", "network=nope"]) }
        #expect(refused?.code == .notFound)
        #expect(refused?.message == "network nope not found")
        #expect(await daemon.manager.count() == 0)
        #expect(await daemon.manager.networks.users(of: "lan").isEmpty)
        #expect(try await daemon.manager.projects.info("default").usage.instances == 0)
        try await daemon.create("web", nics: ["network=lan"])
    }

    @Test("reservations that clash refuse the instance, and undo its join and quota")
    func clashingAddress() async throws {
        let daemon = try await NetworkedDaemon.make()
        defer { daemon.cleanUp() }
        try await daemon.create("db", nics: ["network=lan,ip=10.77.0.20"])
        let before = daemon.hosts(of: "lan")
        let refused = await #expect(throws: JoistError.self) { try await daemon.create("web", nics: ["network=lan,ip=10.77.0.20"]) }
        #expect(refused?.message == "db and web both ask for 10.77.0.20 on network lan")
        #expect(await daemon.manager.count() == 1)
        #expect(await daemon.manager.networks.users(of: "lan").map(\.description) == ["db"])
        #expect(daemon.hosts(of: "lan") == before)
    }

    @Test("two instances of one name, in different projects, cannot share a hosted network: it is their DNS name")
    func namesakesRefused() async throws {
        let daemon = try await NetworkedDaemon.make()
        defer { daemon.cleanUp() }
        _ = try await daemon.manager.projects.create(ProjectCreate(name: "team"))
        try await daemon.create("web", nics: ["network=lan"])
        let refused = await #expect(throws: JoistError.self) { try await daemon.create("web", nics: ["network=lan"], in: "team") }
        #expect(refused?.message == "instance web is already on network lan: instances on one network need different names, each is its name in the network's DNS")
        #expect(await daemon.manager.networks.users(of: "lan").map(\.description) == ["web"])
        try await daemon.create("web", nics: ["user"], in: "team")
    }

    @Test("the network cannot be deleted while an instance uses it; delete removes the instance's taps and reservations")
    func deleteLeaves() async throws {
        let daemon = try await NetworkedDaemon.make()
        defer { daemon.cleanUp() }
        try await daemon.create("web", nics: ["user", "network=lan"])
        try await daemon.create("db", nics: ["network=lan"])
        let refused = await #expect(throws: JoistError.self) { try await daemon.manager.networks.delete("lan") }
        #expect(refused?.code == .invalidState)

        try await daemon.manager.delete("web", in: "default", force: false)
        #expect(daemon.host.count(.removeTap, daemon.tap("web", 1)) == 1)
        #expect(daemon.host.count(.removeTap, daemon.tap("web", 0)) == 0)
        #expect(daemon.hosts(of: "lan").map { $0.hasSuffix(",db") } == [true])
        try await daemon.manager.delete("db", in: "default", force: false)
        #expect(daemon.hosts(of: "lan").isEmpty)
        try await daemon.manager.networks.delete("lan")
    }

    @Test("start makes each network NIC's tap on the network's bridge, again on every start")
    func startEnsuresTaps() async throws {
        let launcher = FakeVMLauncher.quitting()
        let daemon = try await NetworkedDaemon.make(launcher: launcher)
        defer { daemon.cleanUp() }
        try await daemon.create("web", nics: ["user", "network=lan"])
        let bridge = try await daemon.manager.networks.layout(of: "lan").bridge
        let supervisor = try await daemon.manager.supervisor("web", in: "default")
        try await supervisor.start()
        #expect(daemon.host.taps == [daemon.tap("web", 1): bridge])
        try await supervisor.stop(force: true, timeout: hangTimeout)
        #expect(daemon.host.taps.count == 1)
        try await supervisor.start()
        #expect(daemon.host.count(.ensureTap, daemon.tap("web", 1)) == 2)
        try await supervisor.stop(force: true, timeout: hangTimeout)
        try await daemon.manager.delete("web", in: "default", force: false)
        #expect(daemon.host.taps.isEmpty)
    }

    @Test("a restarted daemon joins its instances to their networks and reserves their NICs again")
    func loadRejoins() async throws {
        let daemon = try await NetworkedDaemon.make()
        defer { daemon.cleanUp() }
        let web = try await daemon.create("web", nics: ["network=lan"])
        let env = await daemon.manager.env
        let restarted = InstanceManager.testing(env: env, host: daemon.host)
        try await restarted.projects.load()
        try await restarted.networks.load()
        try await restarted.load()
        #expect(await restarted.networks.users(of: "lan").map(\.description) == ["web"])
        let mac = try #require(web.config.nics[0].mac)
        #expect(await restarted.networks.reservations["lan"] == [DHCPReservation(mac: mac, ip: web.config.nics[0].ip, hostname: "web")])
    }
}
