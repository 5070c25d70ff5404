import Foundation
import JoistAPI
import JoistCore
import Networking

/// Networks on the wire: with every optional set, with none, and every enum case.
enum NetworkSamples {
    static let subnet = try! IPv4Subnet(parsing: "10.20.30.0/24")
    static let natConfig = NetworkConfig(name: "web", kind: .nat, subnet: subnet, description: "front ends")
    static let bridgeConfig = NetworkConfig(name: "lan", kind: .bridge, parent: "br0")
    static let range = NetworkAddressRange(first: try! IPv4Address(parsing: "10.20.30.2"), last: try! IPv4Address(parsing: "10.20.30.254"))

    static let natInfo = NetworkInfo(
        config: natConfig, bridge: "jb-0123456789ab", gateway: try! IPv4Address(parsing: "10.20.30.1"), dhcpRange: range,
        usedBy: [NetworkUser(project: "default", name: "web-1"), NetworkUser(project: "team-a", name: "db")])
    static let bridgeInfo = NetworkInfo(config: bridgeConfig, bridge: "br0")

    static let all: [WireSample] = [
        WireSample("nat config", "NetworkConfig", natConfig),
        WireSample("bridge config", "NetworkConfig", bridgeConfig),
        WireSample("nat network", "NetworkInfo", natInfo),
        WireSample("bridge network", "NetworkInfo", bridgeInfo),
        WireSample("address range", "NetworkAddressRange", range),
        WireSample("network user", "NetworkUser", NetworkUser(project: "default", name: "web-1")),
        WireSample(
            "full network create", "NetworkCreate",
            NetworkCreate(name: "web", type: .isolated, subnet: subnet, description: "lab machines")),
        WireSample("bridge network create", "NetworkCreate", NetworkCreate(name: "lan", type: .bridge, parent: "eth0")),
        WireSample("network vlan", "NetworkVLAN", 10),
        WireSample("vlan network create", "NetworkCreate", NetworkCreate(name: "lan10", type: .bridge, parent: "eth0", vlan: 10)),
        WireSample("vlan network", "NetworkInfo", NetworkInfo(
            config: NetworkConfig(name: "lan10", kind: .bridge, parent: "eth0", vlan: 4094), bridge: "jb-0123456789ab")),
        WireSample("minimal network create", "NetworkCreate", NetworkCreate(name: "web", type: .nat)),
        WireSample("network page", "NetworkInfoPage", Page(items: [bridgeInfo, natInfo], next: "web")),
        WireSample("last network page", "NetworkInfoPage", Page<NetworkInfo>(items: [])),
        WireSample("subnet", "IPv4Subnet", try! IPv4Subnet(parsing: "192.168.0.0/16")),
        WireSample("address", "IPv4Address", try! IPv4Address(parsing: "255.255.255.255")),
        WireSample("zero address", "IPv4Address", IPv4Address.any),
    ] + NetworkKind.allCases.map { WireSample("\($0)", "NetworkKind", $0) }
        + firewall
        + NetworkKind.allCases.map { kind in
            var config = natConfig
            config.kind = kind
            return WireSample("\(kind) network", "NetworkConfig", config)
        }

    static let fullRule = FirewallRule(
        id: 3, direction: .in, proto: .tcp, port: try! PortRange(8000, 8080), source: try! FirewallRule.addresses(parsing: "10.1.2.10"),
        destination: subnet, action: .drop)
    static let minimalRule = FirewallRule(id: 1, direction: .out, action: .allow)

    /// Firewall rules, sets, policies and requests, with every enum case.
    static let firewall: [WireSample] = [
        WireSample("full firewall rule", "FirewallRule", fullRule),
        WireSample("minimal firewall rule", "FirewallRule", minimalRule),
        WireSample("full rule create", "FirewallRuleCreate", FirewallRuleCreate(
            direction: .in, proto: .udp, port: try! PortRange(53), source: "10.0.0.0/8", destination: "10.1.2.10", action: .allow)),
        WireSample("minimal rule create", "FirewallRuleCreate", FirewallRuleCreate(direction: .out, action: .drop)),
        WireSample("network rule set", "FirewallRuleSet", FirewallRuleSet(rules: [fullRule, minimalRule], policy: FirewallPolicy(in: .drop))),
        WireSample("instance rule set", "FirewallRuleSet", FirewallRuleSet()),
        WireSample("policy", "FirewallPolicy", FirewallPolicy(in: .allow, out: .drop)),
        WireSample("single address", "FirewallAddresses", "10.1.2.10"),
        WireSample("address range", "FirewallAddresses", "10.1.2.0/24"),
    ] + FirewallRule.Action.allCases.map { WireSample("\($0)", "FirewallAction", $0) }
        + FirewallRule.Direction.allCases.flatMap { direction in
            FirewallRule.Proto.allCases.map { proto in
                WireSample("\(direction) \(proto) rule", "FirewallRule", FirewallRule(id: 2, direction: direction, proto: proto, action: .drop))
            }
        }
}
