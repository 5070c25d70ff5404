import Foundation
import JoistAPI
import JoistCore
import JoistTesting
import Networking
import Testing

@testable import Daemon

@Suite("Networks: creating them")
struct NetworkCreateTests {
    /// The subnet `name` gets on an empty host: where the chooser starts.
    static func firstChoice(_ name: String) throws -> IPv4Subnet {
        try #require(SubnetChooser(taken: []).choose(for: name))
    }

    @Test("a nat network without a subnet gets a free /24 that avoids the host's routes, up on the host and recorded")
    func choosesAroundRoutes() async throws {
        let preferred = try Self.firstChoice("web")
        let fixture = try await NetworkFixture.make(routes: [preferred, try IPv4Subnet(parsing: "192.168.1.0/24")])
        defer { fixture.cleanUp() }
        let info = try await fixture.create("web")
        let subnet = try #require(info.config.subnet)
        #expect(subnet != preferred && !subnet.overlaps(preferred))
        let ten = try IPv4Subnet(parsing: "10.0.0.0/8")
        #expect(subnet.prefixLength == 24 && ten.contains(subnet.network))
        #expect(try await fixture.record("web") == info.config, "the record keeps the chosen subnet")
        #expect(info.bridge == LinkNames.bridge(network: "web"))
        #expect(info.gateway == subnet.host(1))
        #expect(info.dhcpRange == NetworkAddressRange(first: try #require(subnet.host(2)), last: try #require(subnet.lastUsable)))
        #expect(fixture.host.bridges.keys.sorted() == [info.bridge])
        #expect(fixture.networksInRuleset == ["web"])
        #expect(fixture.dnsmasq("web")?.config.contains("interface=\(info.bridge)") == true)
        #expect(FileManager.default.fileExists(atPath: fixture.folder("web")))
        #expect(fixture.host.calls.map(\.description) == [
            "routedSubnets", "ensureBridge web", "applyRuleset", "ensureDNSMasq web",
        ])
    }

    @Test("a chosen subnet avoids other networks' subnets, even where the host has no route for them")
    func choosesAroundNetworks() async throws {
        let fixture = try await NetworkFixture.make()
        defer { fixture.cleanUp() }
        let taken = try Self.firstChoice("second")
        let first = try await fixture.create("first", .isolated, subnet: taken.description)
        // The host lost the first network's bridge, and so its route; the network still holds its subnet.
        try await fixture.host.removeBridge(try NetworkLayout(first.config))
        #expect(try await fixture.host.routedSubnets() == [])
        let info = try await fixture.create("second")
        let subnet = try #require(info.config.subnet)
        #expect(!subnet.overlaps(taken))
        #expect(fixture.networksInRuleset == ["first", "second"])
    }

    @Test("a given subnet must not overlap another network or a host route; a refused network changes nothing")
    func givenSubnetOverlaps() async throws {
        let fixture = try await NetworkFixture.make(routes: [try IPv4Subnet(parsing: "10.50.0.0/16")])
        defer { fixture.cleanUp() }
        try await fixture.create("a", subnet: "10.60.0.0/24")
        fixture.host.clearCalls()
        let route = await #expect(throws: JoistError.self) { try await fixture.create("b", subnet: "10.50.3.0/24") }
        #expect(route?.code == .invalidState)
        #expect(route?.message == "subnet 10.50.3.0/24 of network b overlaps 10.50.0.0/16, which a host route or another network uses")
        let network = await #expect(throws: JoistError.self) { try await fixture.create("c", .isolated, subnet: "10.60.0.128/25") }
        #expect(network?.message == "subnet 10.60.0.128/25 of network c overlaps network a (10.60.0.0/24)")
        #expect(fixture.host.calls.allSatisfy { $0.step == .routedSubnets })
        #expect(await fixture.names() == ["a"])
        #expect(try await fixture.record("b") == nil)
    }

    @Test("concurrent creates never choose the same subnet")
    func concurrentCreates() async throws {
        // Two names whose walks start at the same candidate: without serialized creates both would take it.
        var firstSeen: [IPv4Subnet: String] = [:]
        var pair: (String, String)?
        for index in 0..<5_000 where pair == nil {
            let name = "n\(index)"
            let choice = try Self.firstChoice(name)
            if let other = firstSeen[choice] { pair = (other, name) } else { firstSeen[choice] = name }
        }
        let (one, two) = try #require(pair)
        let fixture = try await NetworkFixture.make()
        defer { fixture.cleanUp() }
        let infos = try await withThrowingTaskGroup(of: NetworkInfo.self) { group in
            for name in [one, two] { group.addTask { try await fixture.create(name) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let subnets = infos.compactMap(\.config.subnet)
        #expect(subnets.count == 2)
        #expect(subnets.first.map { first in subnets.last.map { !first.overlaps($0) } ?? false } == true, "\(subnets)")
    }

    enum FailingStep: String, CaseIterable, Sendable {
        case routes, bridge, ruleset, dnsmasq, record
    }

    @Test("a failure at any step undoes the steps before it and records nothing", arguments: FailingStep.allCases)
    func failureUndoes(step: FailingStep) async throws {
        let fixture = try await NetworkFixture.make()
        defer { fixture.cleanUp() }
        try await fixture.create("base")
        let ruleset = fixture.host.ruleset
        switch step {
        case .routes: fixture.host.fail(.routedSubnets)
        case .bridge: fixture.host.fail(.ensureBridge)
        case .ruleset: fixture.host.fail(.applyRuleset)
        case .dnsmasq: fixture.host.fail(.ensureDNSMasq)
        case .record: fixture.store.failNextWrite(under: "/networks/web")
        }
        await #expect(throws: (any Error).self) { try await fixture.create("web") }
        #expect(fixture.host.bridges.keys.sorted() == [LinkNames.bridge(network: "base")])
        #expect(fixture.host.ruleset == ruleset, "the ruleset is as it was before")
        #expect(fixture.host.dnsmasqs.keys.sorted() == [fixture.folder("base")])
        #expect(!FileManager.default.fileExists(atPath: fixture.folder("web")))
        #expect(try await fixture.record("web") == nil)
        #expect(await fixture.names() == ["base"])
        try await fixture.create("web")
        #expect(fixture.networksInRuleset == ["base", "web"])
    }

    @Test("a bridge network joins an existing host interface: no bridge, subnet or dnsmasq of Joist's")
    func bridgeNetwork() async throws {
        let fixture = try await NetworkFixture.make()
        defer { fixture.cleanUp() }
        let info = try await fixture.create("lan", .bridge, parent: "br0")
        #expect(info.bridge == "br0" && info.gateway == nil && info.dhcpRange == nil && info.config.subnet == nil)
        #expect(fixture.host.bridges.isEmpty && fixture.host.dnsmasqs.isEmpty)
        #expect(fixture.host.count(.routedSubnets) == 0)
        #expect(fixture.networksInRuleset == [], "Joist neither routes nor filters the LAN")
        let missing = await #expect(throws: JoistError.self) { try await fixture.create("wan", .bridge, parent: "eth9") }
        #expect(missing?.message.contains("eth9") == true)
        #expect(await fixture.names() == ["lan"])
        try await fixture.manager.delete("lan")
        #expect(fixture.host.count(.removeBridge) == 0, "the host's interface stays")
    }

    @Test(
        "names and configs are checked before the host is touched",
        arguments: [
            (NetworkCreate(name: "bad/name", type: .nat), "network name"),
            (NetworkCreate(name: "-web", type: .nat), "network name"),
            (NetworkCreate(name: String(repeating: "a", count: 64), type: .nat), "network name"),
            (NetworkCreate(name: "web", type: .nat, parent: "eth0"), "only bridge networks take a parent"),
            (NetworkCreate(name: "lan", type: .bridge), "needs a parent"),
            (NetworkCreate(name: "lan", type: .bridge, parent: "jb-0123456789ab"), "Joist manages that link"),
            (NetworkCreate(name: "lan", type: .bridge, parent: "br0 up"), "may not contain whitespace"),
            (NetworkCreate(name: "web", type: .nat, description: String(repeating: "x", count: 1025)), "longer than 1024"),
        ])
    func validation(request: NetworkCreate, message: String) async throws {
        let fixture = try await NetworkFixture.make()
        defer { fixture.cleanUp() }
        let error = await #expect(throws: JoistError.self) { try await fixture.manager.create(request) }
        #expect(error?.code == .invalidArgument)
        #expect(error?.message.contains(message) == true, "\(error?.message ?? "")")
        #expect(fixture.host.calls == [])
        #expect(await fixture.names() == [])
    }

    @Test("subnets must have room for guests and lie outside reserved blocks; bridge networks take none")
    func subnetRules() async throws {
        let fixture = try await NetworkFixture.make()
        defer { fixture.cleanUp() }
        for (type, subnet, message) in [
            (NetworkKind.nat, "10.1.2.0/30", "must have a prefix from /16 to /29"),
            (.isolated, "127.0.0.0/24", "host's loopback"),
            (.bridge, "10.1.2.0/24", "takes no subnet"),
        ] {
            let error = await #expect(throws: JoistError.self) {
                try await fixture.create("net", type, subnet: subnet, parent: type == .bridge ? "br0" : nil)
            }
            #expect(error?.message.contains(message) == true, "\(error?.message ?? "")")
        }
        #expect(fixture.host.calls == [])
    }

    @Test("a name is taken once; the second create is refused without touching the host")
    func duplicate() async throws {
        let fixture = try await NetworkFixture.make()
        defer { fixture.cleanUp() }
        let events = try await fixture.lifecycleEvents {
            try await fixture.create("web")
            fixture.host.clearCalls()
            let error = await #expect(throws: JoistError.self) { try await fixture.create("web", .isolated) }
            #expect(error?.code == .alreadyExists)
        }
        #expect(fixture.host.calls == [])
        #expect(events == ["network-created web -"])
    }
}
