import JoistCore
import Networking
import Testing

@Suite("nftables ruleset (golden)")
struct NFTablesRulesetTests {
    @Test("nat with two forwards, isolated, and a bridge network that contributes nothing")
    func full() throws {
        let ruleset = try Samples.ruleset()
        try Golden.check("ruleset-full.nft", ruleset.script)
        #expect(!ruleset.script.contains("br0"))
        #expect(!ruleset.script.contains("lan"))
    }

    @Test("no networks: the table is removed, not left empty")
    func empty() throws {
        try Golden.check("ruleset-empty.nft", NFTablesRuleset.render([]).script)
    }

    @Test("the order networks and forwards come in does not change the script")
    func orderIndependent() throws {
        let forwards = try Samples.webForwards()
        let reordered = try NFTablesRuleset.render([
            .init(layout: Samples.lab()), .init(layout: Samples.web(), forwards: forwards.reversed()), .init(layout: Samples.lan()),
        ])
        #expect(reordered == (try Samples.ruleset()))
    }

    @Test("the script replaces only Joist's tables: it starts by declaring and deleting each, then declares it in full")
    func replacesOwnTable() throws {
        let lines = try NFTablesRuleset.render([.init(layout: Samples.web())], table: "joist-test").script.split(separator: "\n")
        #expect(lines[1] == "table inet joist-test {}")
        #expect(lines[2] == "delete table inet joist-test")
        #expect(lines[3] == "table inet joist-test {")
        #expect(lines.filter { $0.hasPrefix("table inet") || $0.hasPrefix("delete table inet") }.count == 3)
        #expect(lines.suffix(2) == ["table bridge joist-test {}", "delete table bridge joist-test"], "the firewall's table, with no rules")
        #expect(try NFTablesRuleset.removalScript(table: "joist-test").hasSuffix(
            "table inet joist-test {}\ndelete table inet joist-test\ntable bridge joist-test {}\ndelete table bridge joist-test\n"))
        #expect(throws: JoistError.self) { try NFTablesRuleset.render([], table: "joist; flush ruleset") }
    }

    @Test("a loopback or every-address forward masquerades loopback sources and needs route_localnet; others do not")
    func loopback() throws {
        let web = try Samples.web()
        let target = try Samples.address("10.1.2.10")
        let local = NFTablesRuleset.Network(layout: web, forwards: [
            PortForward(listenAddress: try Samples.address("127.0.0.1"), listenPort: 8080, targetAddress: target, targetPort: 80),
        ])
        let remote = NFTablesRuleset.Network(layout: web, forwards: [
            PortForward(listenAddress: try Samples.address("192.0.2.10"), listenPort: 8080, targetAddress: target, targetPort: 80),
        ])
        #expect(local.needsRouteLocalnet && !remote.needsRouteLocalnet)
        #expect(try Samples.ruleset().script.contains("ip saddr 127.0.0.0/8 masquerade"))
        #expect(try NFTablesRuleset.render([local]).script.contains("ip saddr 127.0.0.0/8 masquerade"))
        #expect(try !NFTablesRuleset.render([remote]).script.contains("127.0.0.0/8"))
        #expect(try NFTablesRuleset.render([local]).routeLocalnet == [web.bridge: true])
        #expect(try NFTablesRuleset.render([remote]).routeLocalnet == [web.bridge: false])
    }

    @Test("route_localnet is set for every hosted bridge (on only with a loopback forward), never for a LAN bridge")
    func routeLocalnetPerBridge() throws {
        let ruleset = try Samples.ruleset()
        #expect(ruleset.routeLocalnet == [try Samples.web().bridge: true, try Samples.lab().bridge: false])
        #expect(try NFTablesRuleset.render([.init(layout: Samples.lan())]).routeLocalnet.isEmpty)
    }

    @Test("networks that would share a name or addresses are refused")
    func conflictingNetworks() throws {
        let web = try Samples.web()
        #expect(throws: JoistError.invalidArgument("network web is given twice")) {
            try NFTablesRuleset.render([.init(layout: web), .init(layout: web)])
        }
        let overlapping = try NetworkLayout(NetworkConfig(name: "web-2", kind: .isolated, subnet: Samples.subnet("10.1.0.0/16")))
        #expect(throws: JoistError.invalidState("networks web (10.1.2.0/24) and web-2 (10.1.0.0/16) overlap")) {
            try NFTablesRuleset.render([.init(layout: web), .init(layout: overlapping)])
        }
    }

    @Test("forwards that cannot work are refused with the reason", arguments: [
        ("lab", "tcp", "192.0.2.10", 8080, "192.168.77.5", 80,
         "cannot forward tcp 192.0.2.10:8080 -> 192.168.77.5:80 on network lab: port forwards need a nat network, and lab is isolated"),
        ("web", "tcp", "192.0.2.10", 0, "10.1.2.10", 80,
         "cannot forward tcp 192.0.2.10:0 -> 10.1.2.10:80 on network web: ports must be from 1 to 65535"),
        ("web", "tcp", "192.0.2.10", 8080, "10.1.3.10", 80,
         "cannot forward tcp 192.0.2.10:8080 -> 10.1.3.10:80 on network web: the target must be a guest address in 10.1.2.0/24, not the gateway"),
        ("web", "tcp", "192.0.2.10", 8080, "10.1.2.1", 80,
         "cannot forward tcp 192.0.2.10:8080 -> 10.1.2.1:80 on network web: the target must be a guest address in 10.1.2.0/24, not the gateway"),
        ("web", "udp", "239.1.1.1", 8080, "10.1.2.10", 80,
         "cannot forward udp 239.1.1.1:8080 -> 10.1.2.10:80 on network web: the listen address must be one of the host's, or 0.0.0.0 for all of them"),
        ("web", "tcp", "192.168.77.5", 8080, "10.1.2.10", 80,
         "cannot forward tcp 192.168.77.5:8080 -> 10.1.2.10:80 on network web: 192.168.77.5 belongs to the guests of 192.168.77.0/28, not the host"),
    ])
    func badForward(network: String, proto: String, listen: String, port: Int, target: String, targetPort: Int, message: String) throws {
        let forward = PortForward(
            proto: try #require(PortForward.Proto(rawValue: proto)), listenAddress: try Samples.address(listen),
            listenPort: UInt16(port), targetAddress: try Samples.address(target), targetPort: UInt16(targetPort))
        let web = try Samples.web(), lab = try Samples.lab()
        let networks: [NFTablesRuleset.Network] = [
            .init(layout: web, forwards: network == "web" ? [forward] : []), .init(layout: lab, forwards: network == "lab" ? [forward] : []),
        ]
        #expect(throws: JoistError.invalidArgument(message)) { try NFTablesRuleset.render(networks) }
    }

    @Test("two forwards claiming the same connections clash; other protocols and addresses do not", arguments: [
        ("tcp", "192.0.2.10", "tcp", "192.0.2.10", true), ("tcp", "0.0.0.0", "tcp", "192.0.2.10", true),
        ("tcp", "192.0.2.10", "tcp", "0.0.0.0", true), ("tcp", "192.0.2.10", "udp", "192.0.2.10", false),
        ("tcp", "192.0.2.10", "tcp", "192.0.2.11", false),
    ])
    func clashes(proto1: String, listen1: String, proto2: String, listen2: String, clash: Bool) throws {
        func forward(_ proto: String, _ listen: String, _ target: String) throws -> PortForward {
            PortForward(
                proto: try #require(PortForward.Proto(rawValue: proto)), listenAddress: try Samples.address(listen), listenPort: 8080,
                targetAddress: try Samples.address(target), targetPort: 80)
        }
        let one = try forward(proto1, listen1, "10.1.2.10"), two = try forward(proto2, listen2, "10.1.2.11")
        #expect(one.clashes(with: two) == clash)
        let other = try NetworkLayout(NetworkConfig(name: "db", kind: .nat, subnet: Samples.subnet("10.1.3.0/24")))
        let moved = PortForward(
            proto: two.proto, listenAddress: two.listenAddress, listenPort: 8080, targetAddress: try Samples.address("10.1.3.11"), targetPort: 80)
        let networks: [NFTablesRuleset.Network] = try [.init(layout: Samples.web(), forwards: [one]), .init(layout: other, forwards: [moved])]
        if clash {
            #expect(throws: JoistError.self) { try NFTablesRuleset.render(networks) }
        } else {
            #expect(throws: Never.self) { try NFTablesRuleset.render(networks) }
        }
    }
}
