import Foundation
import JoistCore
import Networking
import Testing

@Suite("Firewall rules and their nftables table (golden)")
struct FirewallRulesetTests {
    static func render(policy: FirewallPolicy? = nil) throws -> NFTablesRuleset {
        try NFTablesRuleset.render(
            [.init(layout: Samples.lan()), .init(layout: Samples.web(), forwards: Samples.webForwards()), .init(layout: Samples.lab())],
            firewall: Samples.firewall(policy: policy))
    }

    @Test("instance rules, then a jump to the network's rules, per NIC and direction; NICs with nothing to filter get no chain")
    func golden() throws {
        let ruleset = try Self.render()
        try Golden.check("ruleset-firewall.nft", ruleset.script)
        #expect(ruleset.script.hasPrefix(try Samples.ruleset().script.components(separatedBy: "# The firewall").first ?? ""))
        #expect(!ruleset.script.contains("gone"), "a NIC on a network not rendered is left out")
        #expect(!ruleset.script.contains(LinkNames.tap(for: NICIdentity(project: "default", instance: "probe", index: 0))))
    }

    @Test("a drop policy ends the network's chain: ARP, DHCP and answers pass, the rest drops")
    func dropPolicy() throws {
        let script = try Self.render(policy: FirewallPolicy(in: .drop, out: .allow)).script
        try Golden.check("ruleset-firewall-policy.nft", script)
        let plain = LinkNames.tap(for: NICIdentity(project: "default", instance: "plain", index: 0))
        #expect(script.contains("chain in-\(plain) {\n\t\tjump net-in-web\n\t}"))
        #expect(script.contains("\t\tct state established,related return\n\t\tdrop\n"))
    }

    @Test("without rules the firewall table is only declared and deleted, so removing the last rule removes it")
    func empty() throws {
        let lines = try NFTablesRuleset.render([.init(layout: Samples.web())], firewall: .init(nics: [
            .init(identity: NICIdentity(project: "default", instance: "web-1", index: 0), network: "web", rules: []),
        ])).script.split(separator: "\n").suffix(3)
        #expect(Array(lines) == ["# The firewall: the whole of table bridge joist, replaced in the same transaction.",
                                 "table bridge joist {}", "delete table bridge joist"])
        #expect(try NFTablesRuleset.removalScript().contains("delete table bridge joist\n"))
    }

    @Test("each rule renders as its matches and a verdict", arguments: [
        (FirewallRule(direction: .in, proto: .tcp, port: try! PortRange(22), action: .drop), "ip protocol tcp tcp dport 22 drop"),
        (FirewallRule(direction: .out, proto: .udp, port: try! PortRange(53, 54), action: .allow), "ip protocol udp udp dport 53-54 return"),
        (FirewallRule(direction: .in, proto: .icmp, source: try! IPv4Subnet(parsing: "10.0.0.0/8"), action: .drop),
         "ip saddr 10.0.0.0/8 ip protocol icmp drop"),
        (FirewallRule(direction: .in, action: .drop), "ether type ip drop"),
        (FirewallRule(direction: .out, source: try! FirewallRule.addresses(parsing: "10.1.2.3"),
                      destination: try! IPv4Subnet(parsing: "192.0.2.0/24"), action: .allow),
         "ip saddr 10.1.2.3 ip daddr 192.0.2.0/24 return"),
    ])
    func ruleLines(rule: FirewallRule, line: String) throws {
        let nic = NICIdentity(project: "default", instance: "web-1", index: 0)
        let script = try NFTablesRuleset.render([.init(layout: Samples.web())], firewall: .init(nics: [.init(identity: nic, network: "web", rules: [rule])])).script
        #expect(script.contains("\t\t\(line)\n"))
    }

    @Test("rules that cannot be rendered as they read are refused")
    func invalidRules() throws {
        let icmpPort = FirewallRule(direction: .in, proto: .icmp, port: try PortRange(22), action: .drop)
        #expect(throws: JoistError.invalidArgument(
            "firewall rule 'in icmp port 22 drop' names port 22, but only tcp and udp have ports; add --proto tcp or --proto udp")) {
            try icmpPort.validate()
        }
        let nic = NICIdentity(project: "default", instance: "web-1", index: 0)
        #expect(throws: JoistError.self) {
            try NFTablesRuleset.render([.init(layout: Samples.web())], firewall: .init(nics: [.init(identity: nic, network: "web", rules: [icmpPort])]))
        }
        #expect(throws: JoistError.self) {
            try NFTablesRuleset.render([.init(layout: Samples.web())], firewall: .init(networks: ["web": FirewallRuleSet(rules: [icmpPort])]))
        }
        #expect(throws: JoistError.self) {
            try NFTablesRuleset.render([.init(layout: Samples.web())], firewall: .init(nics: [
                .init(identity: nic, network: "web", rules: []), .init(identity: nic, network: "web", rules: []),
            ]))
        }
    }

    @Test("ports and addresses parse as users write them, and refuse the rest", arguments: [
        ("22", "22"), ("8000-8080", "8000-8080"), ("65535", "65535"), ("0", nil), ("65536", nil), ("80-22", nil), ("022", nil),
        ("", nil), ("1-2-3", nil), ("http", nil),
    ])
    func ports(text: String, parsed: String?) {
        #expect((try? PortRange(parsing: text))?.description == parsed)
    }

    @Test("a rule as JSON: addresses without /32 for one host, proto any and id 0 when left out")
    func coding() throws {
        let rule = FirewallRule(
            id: 7, direction: .in, proto: .tcp, port: try PortRange(22), source: try FirewallRule.addresses(parsing: "10.1.2.10"), action: .drop)
        let json = String(decoding: try JSONEncoder.sorted.encode(rule), as: UTF8.self)
        #expect(json == #"{"action":"drop","direction":"in","id":7,"port":"22","proto":"tcp","source":"10.1.2.10"}"#)
        #expect(try JSONDecoder().decode(FirewallRule.self, from: Data(json.utf8)) == rule)
        let minimal = try JSONDecoder().decode(FirewallRule.self, from: Data(#"{"direction":"out","action":"allow"}"#.utf8))
        #expect(minimal == FirewallRule(direction: .out, action: .allow))
        #expect(throws: (any Error).self) { try JSONDecoder().decode(FirewallRule.self, from: Data(#"{"direction":"in","action":"drop","port":"0"}"#.utf8)) }
        #expect(throws: (any Error).self) { try JSONDecoder().decode(FirewallRule.self, from: Data(#"{"direction":"in","action":"reject"}"#.utf8)) }
        #expect(throws: (any Error).self) { try JSONDecoder().decode(FirewallRule.self, from: Data(#"{"direction":"in","action":"drop","source":"10.1.2.3/24"}"#.utf8)) }
        #expect(rule.description == "in tcp port 22 from 10.1.2.10 drop")
    }

    @Test("rules get the next id above the highest; removing one keeps the others' ids; the list has a limit")
    func numbering() throws {
        var set = FirewallRuleSet()
        for _ in 0..<3 { set = try set.adding(FirewallRule(direction: .in, action: .drop), owner: "instance web-1").set }
        #expect(set.rules.map(\.id) == [1, 2, 3])
        set = try set.removing(id: 2, owner: "instance web-1")
        #expect(set.rules.map(\.id) == [1, 3])
        #expect(try set.adding(FirewallRule(direction: .out, action: .allow), owner: "instance web-1").rule.id == 4)
        #expect(throws: JoistError.notFound("instance web-1 has no firewall rule 2; `joist firewall list` shows the rules and their numbers")) {
            try set.removing(id: 2, owner: "instance web-1")
        }
        let full = FirewallRuleSet(rules: (1...FirewallRule.maxRules).map { FirewallRule(id: $0, direction: .in, action: .drop) })
        #expect(throws: JoistError.self) { try full.adding(FirewallRule(direction: .in, action: .drop), owner: "network web") }
        #expect(FirewallRuleSet(policy: .allowAll).isEmpty && !FirewallRuleSet(policy: FirewallPolicy(out: .drop)).isEmpty)
    }
}

extension JSONEncoder {
    static var sorted: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return encoder
    }
}
