import ArgumentParser
import Foundation
import JoistAPI
import JoistCore
import Networking
import Testing

@testable import CLI

/// `joist firewall …` without a daemon: what add sends, where each form goes, and how rules are shown.
@Suite("joist firewall")
struct FirewallCommandTests {
    @Test("add sends the rule as given, to the instance's rules in its project or to the network's")
    func add() throws {
        let add = try FirewallCommand.Add.parse([
            "web-1", "--direction", "in", "--proto", "tcp", "--port", "22", "--source", "10.1.2.0/24", "--action", "drop", "--project", "team",
        ])
        #expect(add.request == FirewallRuleCreate(direction: .in, proto: .tcp, port: try PortRange(22), source: "10.1.2.0/24", action: .drop))
        #expect(add.target.path(add.global) == "/1.0/instances/web-1/firewall?project=team")
        let network = try FirewallCommand.Add.parse(["--network", "lan", "--direction", "out", "--action", "allow"])
        #expect(network.target.path(network.global) == "/1.0/networks/lan/firewall")
        #expect(network.request == FirewallRuleCreate(direction: .out, proto: .any, action: .allow))
        let remove = try FirewallCommand.Remove.parse(["web-1", "--id", "3", "--project", "team"])
        #expect(remove.target.path(remove.global, rule: 3) == "/1.0/instances/web-1/firewall/3?project=team")
    }

    @Test("a rule that cannot work, or an unclear target, is refused before anything is sent", arguments: [
        ["web-1", "--direction", "in", "--proto", "icmp", "--port", "22", "--action", "drop"],
        ["web-1", "--direction", "in", "--port", "70000", "--proto", "tcp", "--action", "drop"],
        ["web-1", "--direction", "in", "--source", "10.1.2.3/24", "--action", "drop"],
        ["web-1", "--direction", "sideways", "--action", "drop"],
        ["web-1", "--direction", "in", "--action", "reject"],
        ["--direction", "in", "--action", "drop"],
        ["web-1", "--network", "lan", "--direction", "in", "--action", "drop"],
    ])
    func refusals(arguments: [String]) {
        #expect(throws: (any Error).self) { try FirewallCommand.Add.parse(arguments) }
    }

    @Test("list shows each rule on a line with its number, and a network's policy")
    func list() throws {
        let set = FirewallRuleSet(rules: [
            FirewallRule(id: 1, direction: .in, proto: .tcp, port: try PortRange(22), source: try FirewallRule.addresses(parsing: "10.1.2.10"), action: .drop),
            FirewallRule(id: 3, direction: .out, action: .allow),
        ], policy: FirewallPolicy(out: .drop))
        let text = try FirewallCommand.List.render(set, as: .table)
        let lines = text.split(separator: "\n").map { $0.split(separator: " ").joined(separator: " ") }
        #expect(lines == [
            "ID DIRECTION PROTO PORT SOURCE DESTINATION ACTION", "1 in tcp 22 10.1.2.10 - drop", "3 out any - - - allow",
            "Default policy: in allow, out drop",
        ])
    }
}
