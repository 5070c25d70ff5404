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

/// Instances on a `nat` network of a fake host, for firewall changes.
private struct FirewalledDaemon {
    let manager: InstanceManager
    let host: FakeHostNetworkDriver
    let env: DaemonEnvironment
    let directory: String

    static func make() async throws -> FirewalledDaemon {
        let directory = "/tmp/jf-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory + "/instances", withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: directory + "/vmlinuz", contents: Data("kernel".utf8))
        let env = DaemonEnvironment(
            stateDirectory: directory, store: InMemoryStore(), launcher: FakeVMLauncher(),
            accelerators: AcceleratorResolver(probe: NoKVM()), logger: Logger(label: "test"))
        let host = FakeHostNetworkDriver()
        let manager = InstanceManager.testing(env: env, host: host)
        try await manager.projects.load()
        try await manager.networks.load()
        _ = try await manager.networks.create(NetworkCreate(name: "lan", type: .nat, subnet: try IPv4Subnet(parsing: "10.77.0.0/24")))
        return FirewalledDaemon(manager: manager, host: host, env: env, directory: directory)
    }

    func create(_ name: String, nics: [String] = ["network=lan"]) async throws {
        _ = try await manager.create(
            InstanceCreate(name: name, kernel: directory + "/vmlinuz", memory: "64MiB", nics: nics, accel: .tcg), in: "default")
    }

    /// The next daemon on the same store and host.
    func restarted() async throws -> InstanceManager {
        let next = InstanceManager.testing(env: env, host: host)
        try await next.projects.load()
        try await next.networks.load()
        try await next.load()
        return next
    }

    func tap(_ instance: String, _ index: Int = 0) -> String {
        LinkNames.tap(for: NICIdentity(project: "default", instance: instance, index: index))
    }

    var script: String { host.ruleset?.script ?? "" }

    func cleanUp() { try? FileManager.default.removeItem(atPath: directory) }
}

private func rule(_ direction: FirewallRule.Direction, _ proto: FirewallRule.Proto, port: UInt16? = nil, _ action: FirewallRule.Action) throws -> FirewallRule {
    FirewallRule(direction: direction, proto: proto, port: try port.map { try PortRange($0) }, action: action)
}

@Suite("Firewall rules of instances and networks")
struct FirewallTests {
    @Test("an instance's rule is applied at its NIC's tap and recorded; deleting the instance removes both")
    func instanceRule() async throws {
        let daemon = try await FirewalledDaemon.make()
        defer { daemon.cleanUp() }
        try await daemon.create("web", nics: ["user", "network=lan"])
        let added = try await daemon.manager.addFirewallRule(try rule(.in, .tcp, port: 22, .drop), to: "web", in: "default")
        #expect(added.id == 1)
        let tap = daemon.tap("web", 1)
        #expect(daemon.script.contains("oifname \"\(tap)\" jump in-\(tap)"))
        #expect(daemon.script.contains("chain in-\(tap) {\n\t\tip protocol tcp tcp dport 22 drop\n\t}"))
        #expect(try await daemon.env.store.get("/firewalls/instances/default/web") != nil)
        #expect(try await daemon.manager.firewall(of: "web", in: "default").rules == [added])

        try await daemon.manager.delete("web", in: "default", force: false)
        #expect(!daemon.script.contains(tap))
        #expect(try await daemon.env.store.get("/firewalls/instances/default/web") == nil)
        #expect(await daemon.manager.networks.firewall.nics.isEmpty)
    }

    @Test("a network's rules cover every NIC on it, of instances created before and after")
    func networkRules() async throws {
        let daemon = try await FirewalledDaemon.make()
        defer { daemon.cleanUp() }
        try await daemon.create("web")
        _ = try await daemon.manager.networks.addFirewallRule(try rule(.out, .udp, port: 53, .drop), toNetwork: "lan")
        try await daemon.create("db")
        for tap in [daemon.tap("web"), daemon.tap("db")] {
            #expect(daemon.script.contains("chain out-\(tap) {\n\t\tjump net-out-lan\n\t}"))
            #expect(daemon.script.contains("iifname \"\(tap)\" jump out-\(tap)"))
        }
        #expect(daemon.script.contains("chain net-out-lan {\n\t\tip protocol udp udp dport 53 drop\n\t}"))
        #expect(try await daemon.manager.networks.firewall(ofNetwork: "lan").policy == .allowAll)
        try await daemon.manager.networks.removeFirewallRule(1, fromNetwork: "lan")
        #expect(!daemon.script.contains("net-out-lan"))
        #expect(!daemon.script.contains("table bridge joist {\n"), "no rules left: the firewall table is only deleted")
    }

    @Test("a restarted daemon applies the ruleset once, with every rule and NIC, the same as before")
    func restart() async throws {
        let daemon = try await FirewalledDaemon.make()
        defer { daemon.cleanUp() }
        try await daemon.create("web")
        try await daemon.create("db")
        _ = try await daemon.manager.addFirewallRule(try rule(.in, .tcp, port: 22, .drop), to: "web", in: "default")
        _ = try await daemon.manager.networks.addFirewallRule(try rule(.in, .icmp, .drop), toNetwork: "lan")
        let before = daemon.script
        daemon.host.clearCalls()
        let restarted = try await daemon.restarted()
        #expect(daemon.host.count(.applyRuleset) == 1)
        #expect(daemon.script == before)
        #expect(await restarted.networks.firewall(of: InstanceKey(project: "default", name: "web")).rules.count == 1)
        #expect(before.components(separatedBy: "tcp dport 22 drop").count == 2, "one copy of the rule")
    }

    @Test("a drop policy is refused where the kernel tracks no bridged connections, and applied where it does")
    func dropPolicy() async throws {
        let daemon = try await FirewalledDaemon.make()
        defer { daemon.cleanUp() }
        try await daemon.create("web")
        daemon.host.setTracksBridgedConnections(false)
        let drop = FirewallPolicy(in: .drop)
        await #expect(throws: JoistError.self) { try await daemon.manager.networks.setFirewallPolicy(drop, ofNetwork: "lan") }
        #expect(try await daemon.manager.networks.firewall(ofNetwork: "lan").policy == .allowAll)
        #expect(!daemon.script.contains("net-in-lan"))
        do {
            _ = try await daemon.manager.networks.setFirewallPolicy(drop, ofNetwork: "lan")
        } catch let error as JoistError {
            #expect(error.code == .unsupported)
            #expect(error.message.contains("CONFIG_NF_CONNTRACK_BRIDGE") && error.message.contains("incoming"))
        }
        daemon.host.setTracksBridgedConnections(true)
        let set = try await daemon.manager.networks.setFirewallPolicy(drop, ofNetwork: "lan")
        #expect(set.policy == drop)
        #expect(daemon.script.contains("ct state established,related return\n\t\tdrop\n"))
        _ = try await daemon.manager.networks.setFirewallPolicy(.allowAll, ofNetwork: "lan")
        #expect(!daemon.script.contains("net-in-lan"))
    }

    @Test("a change the host refuses changes nothing; unknown rules, instances and networks are not found")
    func refusals() async throws {
        let daemon = try await FirewalledDaemon.make()
        defer { daemon.cleanUp() }
        try await daemon.create("web")
        daemon.host.fail(.applyRuleset)
        await #expect(throws: JoistError.self) {
            try await daemon.manager.addFirewallRule(try rule(.in, .tcp, port: 22, .drop), to: "web", in: "default")
        }
        #expect(try await daemon.manager.firewall(of: "web", in: "default").rules.isEmpty)
        #expect(try await daemon.env.store.get("/firewalls/instances/default/web") == nil)
        await #expect(throws: JoistError.notFound("instance web has no firewall rule 1; `joist firewall list` shows the rules and their numbers")) {
            try await daemon.manager.removeFirewallRule(1, from: "web", in: "default")
        }
        await #expect(throws: JoistError.notFound("instance nothing not found")) {
            try await daemon.manager.addFirewallRule(try rule(.in, .any, .drop), to: "nothing", in: "default")
        }
        await #expect(throws: JoistError.notFound("network nothing not found")) {
            try await daemon.manager.networks.addFirewallRule(try rule(.in, .any, .drop), toNetwork: "nothing")
        }
    }

    @Test("a NIC add that fails after its network's rules took it in leaves no chain for its tap")
    func failedNICAdd() async throws {
        let daemon = try await FirewalledDaemon.make()
        defer { daemon.cleanUp() }
        _ = try await daemon.manager.networks.create(NetworkCreate(name: "lab", type: .nat, subnet: try IPv4Subnet(parsing: "10.78.0.0/24")))
        try await daemon.create("web")
        _ = try await daemon.manager.networks.addFirewallRule(try rule(.in, .icmp, .drop), toNetwork: "lab")
        let before = daemon.script
        #expect(!before.contains(daemon.tap("web", 1)))
        daemon.host.fail(.ensureDNSMasq)
        await #expect(throws: JoistError.self) { _ = try await daemon.manager.addNIC("network=lab", to: "web", in: "default") }
        #expect(daemon.script == before)
    }

    @Test("deleting a network deletes its rules' record")
    func networkDeletion() async throws {
        let daemon = try await FirewalledDaemon.make()
        defer { daemon.cleanUp() }
        _ = try await daemon.manager.networks.addFirewallRule(try rule(.in, .any, .drop), toNetwork: "lan")
        #expect(try await daemon.env.store.get("/firewalls/networks/lan") != nil)
        try await daemon.manager.networks.delete("lan")
        #expect(try await daemon.env.store.get("/firewalls/networks/lan") == nil)
        _ = try await daemon.manager.networks.create(NetworkCreate(name: "lan", type: .nat))
        #expect(try await daemon.manager.networks.firewall(ofNetwork: "lan").rules.isEmpty)
    }
}
