import Foundation
import JoistAPI
import JoistCore
import JoistTesting
import Networking
import Testing

@testable import Daemon

@Suite("Networks: users, deleting, restarting, reservations")
struct NetworkLifecycleTests {
    @Test("delete is refused while instances use the network; once they leave it removes every trace")
    func deleteWhileUsed() async throws {
        let fixture = try await NetworkFixture.make()
        defer { fixture.cleanUp() }
        try await fixture.create("base")
        let web = try await fixture.create("web")
        let manager = fixture.manager
        try await manager.attach(network: "web", instance: InstanceKey(project: "default", name: "web-1"))
        try await manager.attach(network: "web", instance: InstanceKey(project: "team", name: "db"))
        #expect(await manager.users(of: "web").map(\.description) == ["web-1", "team/db"])
        #expect(try await manager.info("web", visibleTo: "team").usedBy == [NetworkUser(project: "team", name: "db")])
        #expect(try await manager.info("web", visibleTo: nil).usedBy.count == 2)
        let refused = await #expect(throws: JoistError.self) { try await manager.delete("web") }
        #expect(refused?.code == .invalidState)
        #expect(refused?.message == "network web is used by 2 instance(s) (web-1, team/db); remove their NICs first")
        #expect(fixture.host.count(.stopDNSMasq) == 0 && fixture.host.count(.removeBridge) == 0)

        await manager.detach(network: "web", instance: InstanceKey(project: "default", name: "web-1"))
        await manager.detach(network: "web", instance: InstanceKey(project: "team", name: "db"))
        let events = try await fixture.lifecycleEvents { try await manager.delete("web") }
        #expect(events == ["network-deleted web -"])
        #expect(!fixture.host.bridges.keys.contains(web.bridge))
        #expect(fixture.dnsmasq("web") == nil)
        #expect(fixture.networksInRuleset == ["base"])
        #expect(try await fixture.record("web") == nil)
        #expect(!FileManager.default.fileExists(atPath: fixture.folder("web")))
        #expect(await fixture.names() == ["base"])
        let gone = await #expect(throws: JoistError.self) {
            try await manager.attach(network: "web", instance: InstanceKey(project: "default", name: "web-1"))
        }
        #expect(gone?.code == .notFound)
    }

    @Test("no instance joins a network while it is being deleted; reads still see it until it is gone")
    func joinWhileDeleting() async throws {
        let host = FakeHostNetworkDriver()
        let pausing = PausingHostNetwork(host: host)
        let fixture = NetworkFixture.started(
            store: FailingStore(), host: host, driver: pausing, stateDirectory: "/tmp/jn-\(UUID().uuidString.prefix(8))")
        defer { fixture.cleanUp() }
        try await fixture.manager.load()
        try await fixture.create("web")
        let deleting = Task { try await fixture.manager.delete("web") }
        await pausing.paused()
        let refused = await #expect(throws: JoistError.self) {
            try await fixture.manager.attach(network: "web", instance: InstanceKey(project: "default", name: "web-1"))
        }
        #expect(refused?.message == "network web is being deleted; instance web-1 cannot join it")
        #expect(await fixture.names() == ["web"])
        pausing.resume()
        try await deleting.value
        #expect(await fixture.names() == [])
        #expect(await fixture.manager.users(of: "web") == [])
    }

    enum FailingStep: String, CaseIterable, Sendable {
        case dnsmasq, bridge, ruleset, record
    }

    @Test("a delete that fails at any step leaves the network working, and can be done again", arguments: FailingStep.allCases)
    func failedDelete(step: FailingStep) async throws {
        let fixture = try await NetworkFixture.make()
        defer { fixture.cleanUp() }
        try await fixture.create("base")
        let web = try await fixture.create("web")
        let ruleset = fixture.host.ruleset
        let dnsmasq = fixture.dnsmasq("web")
        switch step {
        case .dnsmasq: fixture.host.fail(.stopDNSMasq)
        case .bridge: fixture.host.fail(.removeBridge)
        case .ruleset: fixture.host.fail(.applyRuleset)
        case .record: fixture.store.failNextWrite(under: "/networks/web")
        }
        await #expect(throws: (any Error).self) { try await fixture.manager.delete("web") }
        #expect(fixture.host.bridges.keys.contains(web.bridge))
        #expect(fixture.dnsmasq("web") == dnsmasq)
        #expect(fixture.host.ruleset == ruleset)
        #expect(try await fixture.record("web") == web.config)
        #expect(await fixture.names() == ["base", "web"])
        try await fixture.manager.attach(network: "web", instance: InstanceKey(project: "default", name: "web-1"))
        await fixture.manager.detach(network: "web", instance: InstanceKey(project: "default", name: "web-1"))
        try await fixture.manager.delete("web")
        #expect(fixture.networksInRuleset == ["base"])
    }

    @Test("a restart applies each network once: every bridge, one ruleset for all, every hosted network's dnsmasq")
    func restartAppliesOnce() async throws {
        let fixture = try await NetworkFixture.make()
        defer { fixture.cleanUp() }
        #expect(fixture.host.calls == [], "a daemon without networks leaves the host alone")
        try await fixture.create("web")
        try await fixture.create("lab", .isolated, subnet: "10.99.0.0/16")
        try await fixture.create("lan", .bridge, parent: "eth0")
        let before = await fixture.manager.list(visibleTo: nil)
        let ruleset = fixture.host.ruleset
        let dnsmasqs = fixture.host.dnsmasqs
        fixture.host.clearCalls()

        let next = try await fixture.restarted()
        #expect(await next.manager.list(visibleTo: nil) == before)
        #expect(fixture.host.calls.filter { $0.step == .ensureBridge }.map(\.description) == [
            "ensureBridge lab", "ensureBridge lan", "ensureBridge web",
        ])
        #expect(fixture.host.count(.applyRuleset) == 1)
        #expect(fixture.host.calls.filter { $0.step == .ensureDNSMasq }.map(\.description) == ["ensureDNSMasq lab", "ensureDNSMasq web"])
        #expect(fixture.host.calls.count == 6, "\(fixture.host.calls)")
        #expect(fixture.host.ruleset == ruleset && fixture.host.dnsmasqs == dnsmasqs, "the same files as before")
        #expect(fixture.host.calls.firstIndex { $0.step == .applyRuleset } == 3, "the ruleset follows the bridges")
    }

    @Test("a restart logs a network that cannot come up and brings up the others; the failed one stays listed")
    func restartPastFailures() async throws {
        let fixture = try await NetworkFixture.make()
        defer { fixture.cleanUp() }
        try await fixture.create("alpha")
        try await fixture.create("beta")
        try await fixture.host.removeBridge(try await fixture.manager.layout(of: "alpha"))
        try await fixture.host.stopDNSMasq(try DnsmasqPaths(directory: fixture.folder("alpha")))
        fixture.host.fail(.ensureBridge)
        fixture.host.clearCalls()
        let next = try await fixture.restarted()
        #expect(await next.names() == ["alpha", "beta"])
        #expect(fixture.host.bridges.keys.sorted() == [LinkNames.bridge(network: "beta")])
        #expect(fixture.networksInRuleset == ["alpha", "beta"])
        #expect(fixture.host.calls.filter { $0.step == .ensureDNSMasq }.map(\.description) == ["ensureDNSMasq beta"])
        try await next.manager.delete("alpha")
        #expect(await next.names() == ["beta"])
    }

    @Test("an unreadable record is skipped at start; the other networks load")
    func unreadableRecord() async throws {
        let fixture = try await NetworkFixture.make()
        defer { fixture.cleanUp() }
        try await fixture.create("web")
        _ = try await fixture.store.put("/networks/broken", Data(#"{"name": "broken", "kind": "nat"}"#.utf8), expect: .absent)
        let next = try await fixture.restarted()
        #expect(await next.names() == ["web"])
    }

    @Test("reservations re-render the network's dnsmasq; invalid ones, and bridge networks, change nothing")
    func reservations() async throws {
        let fixture = try await NetworkFixture.make()
        defer { fixture.cleanUp() }
        let web = try await fixture.create("web", subnet: "10.7.0.0/24")
        try await fixture.create("lan", .bridge, parent: "br0")
        let mac = try MACAddress(parsing: "52:54:00:12:34:56")
        let reserved = DHCPReservation(mac: mac, ip: try IPv4Address(parsing: "10.7.0.10"), hostname: "web-1")
        try await fixture.manager.setReservations(network: "web", [reserved])
        #expect(fixture.dnsmasq("web")?.hosts == "52:54:00:12:34:56,10.7.0.10,web-1\n")
        let outside = DHCPReservation(mac: mac, ip: try IPv4Address(parsing: "10.8.0.10"), hostname: "web-1")
        let refused = await #expect(throws: JoistError.self) { try await fixture.manager.setReservations(network: "web", [outside]) }
        #expect(refused?.message.contains("outside the network's subnet \(web.config.subnet.map { "\($0)" } ?? "")") == true)
        #expect(fixture.dnsmasq("web")?.hosts == "52:54:00:12:34:56,10.7.0.10,web-1\n")
        await #expect(throws: JoistError.self) {
            try await fixture.manager.setReservations(network: "lan", [DHCPReservation(mac: mac, hostname: "web-1")])
        }
        // A delete that fails after stopping dnsmasq starts it again with the reservations it had.
        fixture.host.fail(.removeBridge)
        await #expect(throws: JoistError.self) { try await fixture.manager.delete("web") }
        #expect(fixture.dnsmasq("web")?.hosts == "52:54:00:12:34:56,10.7.0.10,web-1\n")
    }
}
