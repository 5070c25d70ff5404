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

/// Instances, a `nat` network `lan` (10.77.0.0/24) and an `isolated` one `lab` on a fake host and a
/// store that can refuse writes; `restarted()` is the next daemon on the same store and host.
private struct ForwardingDaemon {
    let manager: InstanceManager
    let store: FailingStore
    let host: FakeHostNetworkDriver
    let events: EventBus
    let directory: String

    static func make() async throws -> ForwardingDaemon {
        let directory = "/tmp/jf-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory + "/instances", withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: directory + "/vmlinuz", contents: Data("kernel".utf8))
        let daemon = try await started(store: FailingStore(), host: FakeHostNetworkDriver(), directory: directory)
        _ = try await daemon.manager.networks.create(NetworkCreate(name: "lan", type: .nat, subnet: try IPv4Subnet(parsing: "10.77.0.0/24")))
        _ = try await daemon.manager.networks.create(NetworkCreate(name: "lab", type: .isolated, subnet: try IPv4Subnet(parsing: "10.78.0.0/24")))
        _ = try await daemon.manager.projects.create(ProjectCreate(name: "team"))
        return daemon
    }

    private static func started(store: FailingStore, host: FakeHostNetworkDriver, directory: String) async throws -> ForwardingDaemon {
        let events = EventBus()
        let env = DaemonEnvironment(
            stateDirectory: directory, store: store, launcher: FakeVMLauncher(), accelerators: AcceleratorResolver(probe: NoKVM()),
            events: events, logger: Logger(label: "test"))
        let manager = InstanceManager.testing(env: env, host: host)
        try await manager.projects.load()
        try await manager.networks.load(deferringToInstances: true)
        try await manager.load()
        return ForwardingDaemon(manager: manager, store: store, host: host, events: events, directory: directory)
    }

    /// The next daemon on the same store and host.
    func restarted() async throws -> ForwardingDaemon {
        try await Self.started(store: store, host: host, directory: directory)
    }

    @discardableResult
    func create(_ name: String, nics: [String], in project: String = "default") async throws -> Instance {
        try await manager.create(
            InstanceCreate(name: name, kernel: directory + "/vmlinuz", memory: "64MiB", nics: nics, accel: .tcg), in: project)
    }

    @discardableResult
    func forward(
        _ listen: String, to instance: String, port: UInt16 = 80, on network: String = "lan", proto: PortForward.Proto? = nil,
        in project: String = "default"
    ) async throws -> NetworkForward {
        let parsed = try NetworkForward.parseListen(listen)
        let request = NetworkForwardCreate(proto: proto, listenAddress: parsed.address, listenPort: parsed.port, instance: instance, targetPort: port)
        return try await manager.addForward(request, on: network, in: project)
    }

    /// The DNAT rules of the ruleset the host has now.
    var dnatRules: [String] {
        (host.ruleset?.script ?? "").split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { $0.contains(" dnat ip to ") }
    }

    /// The forwards record of network `name` in the store, if there is one.
    func record(_ name: String) async throws -> [NetworkForward]? {
        try await store.get("/network-forwards/" + name).map {
            try APICoding.decoder().decode(NetworkManager.ForwardsRecord.self, from: $0.value).forwards
        }
    }

    /// Every lifecycle event published while `body` runs, as `ACTION NAME PROJECT`.
    func lifecycleEvents(during body: () async throws -> Void) async rethrows -> [String] {
        let subscription = events.subscribe(EventFilter(types: [.lifecycle]))
        try await body()
        events.unsubscribe(subscription.id)
        var seen: [String] = []
        for await event in subscription.events {
            seen.append("\(event.lifecycle?.action ?? "") \(event.lifecycle?.name ?? "") \(event.project ?? "-")")
        }
        return seen
    }

    func cleanUp() { try? FileManager.default.removeItem(atPath: directory) }
}

@Suite("Port forwards to instances: fixed addresses, rules, records, restarts")
struct NetworkForwardTests {
    @Test("every NIC on a hosted network gets a stable address, reserved with its MAC; bridge-free user NICs get none")
    func addressesAtCreate() async throws {
        let daemon = try await ForwardingDaemon.make()
        defer { daemon.cleanUp() }
        let vm1 = try await daemon.create("vm1", nics: ["network=lan", "user", "network=lab"])
        let vm2 = try await daemon.create("vm2", nics: ["network=lan,ip=10.77.0.12"])
        let lanAddressing = try #require(try await daemon.manager.networks.layout(of: "lan").addressing)
        let expected = lanAddressing.stableAddress(for: NICIdentity(project: "default", instance: "vm1", index: 0), avoiding: [])
        #expect(vm1.config.nics[0].ip == expected)
        #expect(vm1.config.nics[1].ip == nil)
        #expect(vm1.config.nics[2].ip.map { "\($0)".hasPrefix("10.78.0.") } == true)
        #expect(vm2.config.nics[0].ip?.description == "10.77.0.12")
        let reservations = await daemon.manager.networks.reservations["lan"] ?? []
        #expect(reservations.map(\.ip) == [vm1.config.nics[0].ip, vm2.config.nics[0].ip])
    }

    @Test("a forward is rendered as DNAT to the instance's address, recorded, listed for its project and announced")
    func add() async throws {
        let daemon = try await ForwardingDaemon.make()
        defer { daemon.cleanUp() }
        let vm1 = try await daemon.create("vm1", nics: ["network=lan"])
        let address = try #require(vm1.config.nics[0].ip)
        var added: NetworkForward?
        let events = try await daemon.lifecycleEvents { added = try await daemon.forward("0.0.0.0:8080", to: "vm1") }
        #expect(events == ["network-forward-created tcp-0.0.0.0-8080 default"])
        let forward = try #require(added)
        #expect(forward.targetAddress == address && forward.project == "default" && forward.instance == "vm1")
        #expect(daemon.dnatRules == Array(repeating: "fib daddr type local tcp dport 8080 dnat ip to \(address):80", count: 2))
        #expect(try await daemon.record("lan") == [forward])
        #expect(try await daemon.manager.networks.forwards(on: "lan", in: "default") == [forward])
        #expect(try await daemon.manager.networks.forwards(on: "lan", in: "team") == [])
        #expect(daemon.host.ruleset?.routeLocalnet.values.contains(true) == true, "0.0.0.0 includes the host's loopback")

        try await daemon.forward("127.0.0.1:5353", to: "vm1", port: 53, proto: .udp)
        #expect(try await daemon.manager.networks.forwards(on: "lan", in: nil).map(\.id.description) == ["tcp-0.0.0.0-8080", "udp-127.0.0.1-5353"])
        #expect(daemon.dnatRules.count == 4)
    }

    @Test("forwards that cannot work are refused, naming why, and change nothing on the host or in the store")
    func refusals() async throws {
        let daemon = try await ForwardingDaemon.make()
        defer { daemon.cleanUp() }
        try await daemon.create("vm1", nics: ["network=lan", "network=lab"])
        try await daemon.create("vm2", nics: ["user"])
        try await daemon.create("db", nics: ["network=lan"], in: "team")
        try await daemon.forward("0.0.0.0:8080", to: "vm1")
        let applied = daemon.host.count(.applyRuleset)
        let cases: [(String, String, String, String, String)] = [
            ("0.0.0.0:8081", "nope", "lan", "default", "instance nope not found"),
            ("0.0.0.0:8081", "db", "lan", "default", "instance db not found"),
            ("0.0.0.0:8081", "vm2", "lan", "default", "instance vm2 has no NIC on network lan; a port forward reaches an instance through the network it forwards on"),
            ("0.0.0.0:8081", "vm1", "nope", "default", "network nope not found"),
            ("0.0.0.0:8081", "vm1", "lab", "default", "port forwards need a nat network, and lab is isolated"),
            ("192.0.2.1:8080", "vm1", "lan", "default", "port forward tcp-192.0.2.1-8080 clashes with forward tcp-0.0.0.0-8080 on network lan: both take tcp port 8080 on some address"),
            ("0.0.0.0:8080", "db", "lan", "team", "port forward tcp-0.0.0.0-8080 clashes with forward tcp-0.0.0.0-8080 on network lan: both take tcp port 8080"),
            ("10.77.0.30:8081", "vm1", "lan", "default", "10.77.0.30 belongs to the guests of 10.77.0.0/24, not the host"),
            ("224.0.0.1:8081", "vm1", "lan", "default", "the listen address must be one of the host's, or 0.0.0.0 for all of them"),
        ]
        for (listen, instance, network, project, message) in cases {
            let refused = await #expect(throws: JoistError.self, "\(listen) \(instance)") {
                try await daemon.forward(listen, to: instance, on: network, in: project)
            }
            #expect(refused?.message.contains(message) == true, "\(refused?.message ?? "") should contain \(message)")
        }
        #expect(daemon.host.count(.applyRuleset) == applied)
        #expect(try await daemon.record("lan")?.count == 1)
        #expect(try await daemon.record("lab") == nil)
    }

    @Test("removing a forward applies the ruleset without it and forgets it; another project's forward is not found")
    func remove() async throws {
        let daemon = try await ForwardingDaemon.make()
        defer { daemon.cleanUp() }
        try await daemon.create("vm1", nics: ["network=lan"])
        let forward = try await daemon.forward("0.0.0.0:8080", to: "vm1")
        let networks = daemon.manager.networks
        let hidden = await #expect(throws: JoistError.self) { try await networks.removeForward(forward.id, on: "lan", in: "team") }
        #expect(hidden?.code == .notFound && hidden?.message == "network lan has no port forward tcp-0.0.0.0-8080 to an instance of project team")
        let events = try await daemon.lifecycleEvents { try await networks.removeForward(forward.id, on: "lan", in: "default") }
        #expect(events == ["network-forward-deleted tcp-0.0.0.0-8080 default"])
        #expect(daemon.dnatRules.isEmpty)
        #expect(try await daemon.record("lan") == nil)
        #expect(daemon.host.ruleset?.routeLocalnet.values.contains(true) == false)
        let again = await #expect(throws: JoistError.self) { try await networks.removeForward(forward.id, on: "lan", in: "default") }
        #expect(again?.code == .notFound)
    }

    @Test("a record that cannot be written undoes the ruleset: the forward is neither applied nor kept")
    func failedWrite() async throws {
        let daemon = try await ForwardingDaemon.make()
        defer { daemon.cleanUp() }
        try await daemon.create("vm1", nics: ["network=lan"])
        let before = daemon.host.ruleset
        daemon.store.failNextWrite(under: "/network-forwards/")
        await #expect(throws: (any Error).self) { try await daemon.forward("0.0.0.0:8080", to: "vm1") }
        #expect(daemon.host.ruleset == before)
        #expect(try await daemon.manager.networks.forwards(on: "lan", in: nil) == [])
        try await daemon.forward("0.0.0.0:8080", to: "vm1")
    }

    @Test("deleting an instance removes its forwards, announced, and leaves the others")
    func deleteInstance() async throws {
        let daemon = try await ForwardingDaemon.make()
        defer { daemon.cleanUp() }
        try await daemon.create("vm1", nics: ["network=lan"])
        try await daemon.create("db", nics: ["network=lan"], in: "team")
        try await daemon.forward("0.0.0.0:8080", to: "vm1")
        try await daemon.forward("0.0.0.0:5432", to: "db", port: 5432, in: "team")
        let events = try await daemon.lifecycleEvents { try await daemon.manager.delete("vm1", in: "default", force: false) }
        #expect(events.contains("network-forward-deleted tcp-0.0.0.0-8080 default"))
        #expect(try await daemon.manager.networks.forwards(on: "lan", in: nil).map(\.instance) == ["db"])
        #expect(daemon.dnatRules.allSatisfy { $0.contains("dport 5432") } && daemon.dnatRules.count == 2)
        #expect(try await daemon.record("lan")?.map(\.instance) == ["db"])
    }

    @Test("a restarted daemon applies its forwards with its networks in one ruleset, once, and drops those whose instance is gone")
    func restart() async throws {
        let daemon = try await ForwardingDaemon.make()
        defer { daemon.cleanUp() }
        try await daemon.create("vm1", nics: ["network=lan"])
        try await daemon.create("vm2", nics: ["network=lan"])
        try await daemon.forward("0.0.0.0:8080", to: "vm1")
        try await daemon.forward("0.0.0.0:8081", to: "vm2")
        let script = try #require(daemon.host.ruleset?.script)
        daemon.host.clearCalls()
        let next = try await daemon.restarted()
        #expect(daemon.host.count(.applyRuleset) == 1)
        #expect(next.host.ruleset?.script == script)
        #expect(try await next.manager.networks.forwards(on: "lan", in: nil).count == 2)

        // The daemon stops after vm2's record is gone but before its forward is: the next start drops it.
        _ = try await daemon.store.delete(InstanceRecord.key("vm2", project: "default"), expect: .any)
        daemon.host.clearCalls()
        let third = try await next.restarted()
        #expect(daemon.host.count(.applyRuleset) == 1, "the dropped forward is left out of the one ruleset the start applies")
        #expect(try await third.manager.networks.forwards(on: "lan", in: nil).map(\.instance) == ["vm1"])
        #expect(third.dnatRules.count == 2)
        #expect(try await third.record("lan")?.map(\.instance) == ["vm1"])
    }

    @Test("an instance recorded before NICs had addresses gets one when the daemon loads it, stored and reserved")
    func legacyRecord() async throws {
        let daemon = try await ForwardingDaemon.make()
        defer { daemon.cleanUp() }
        let vm1 = try await daemon.create("vm1", nics: ["network=lan"])
        let address = try #require(vm1.config.nics[0].ip)
        let key = InstanceRecord.key("vm1", project: "default")
        var record = try APICoding.decoder().decode(InstanceRecord.self, from: try #require(try await daemon.store.get(key)).value)
        record.spec.nics[0].ip = nil
        _ = try await daemon.store.put(key, try APICoding.encoder().encode(record), expect: .any)

        let next = try await daemon.restarted()
        let loaded = try await next.manager.supervisor("vm1", in: "default").snapshot()
        #expect(loaded.config.nics[0].ip == address, "the same stable address, since nothing else took it")
        let stored = try APICoding.decoder().decode(InstanceRecord.self, from: try #require(try await daemon.store.get(key)).value)
        #expect(stored.spec.nics[0].ip == address)
        #expect(await next.manager.networks.reservations["lan"]?.map(\.ip) == [address])
        try await next.forward("0.0.0.0:8080", to: "vm1")
    }
}
