import JoistCore
import Networking
import Testing

/// Networks the tests share: a NAT network with two port forwards, an isolated one, and a bridge
/// to the LAN.
enum Samples {
    static func address(_ text: String) throws -> IPv4Address { try IPv4Address(parsing: text) }
    static func subnet(_ text: String) throws -> IPv4Subnet { try IPv4Subnet(parsing: text) }
    static func mac(_ text: String) throws -> MACAddress { try MACAddress(parsing: text) }

    static func web() throws -> NetworkLayout {
        try NetworkLayout(NetworkConfig(name: "web", kind: .nat, subnet: subnet("10.1.2.0/24")))
    }

    static func lab() throws -> NetworkLayout {
        try NetworkLayout(NetworkConfig(name: "lab", kind: .isolated, subnet: subnet("192.168.77.0/28")))
    }

    static func lan() throws -> NetworkLayout {
        try NetworkLayout(NetworkConfig(name: "lan", kind: .bridge, parent: "br0"))
    }

    /// A TCP forward from one host address and a UDP forward from every address.
    static func webForwards() throws -> [PortForward] {
        [
            PortForward(proto: .tcp, listenAddress: try address("192.0.2.10"), listenPort: 8080,
                        targetAddress: try address("10.1.2.10"), targetPort: 80),
            PortForward(proto: .udp, listenAddress: .any, listenPort: 5353, targetAddress: try address("10.1.2.11"), targetPort: 53),
        ]
    }

    static func webReservations() throws -> [DHCPReservation] {
        [
            DHCPReservation(mac: try mac("52:54:00:aa:00:02"), hostname: "db-1"),
            DHCPReservation(mac: try mac("52:54:00:aa:00:01"), ip: try address("10.1.2.10"), hostname: "web-1"),
            DHCPReservation(mac: try mac("52:54:00:aa:00:03"), ip: try address("10.1.2.11"), hostname: "dns-1"),
        ]
    }

    static let paths = { () -> DnsmasqPaths in
        do { return try DnsmasqPaths(directory: "/var/lib/joist/networks/web") } catch { fatalError("\(error)") }
    }()

    /// The full ruleset of the three networks, in an order other than the rendered one.
    static func ruleset() throws -> NFTablesRuleset {
        try NFTablesRuleset.render([
            .init(layout: lan()), .init(layout: web(), forwards: webForwards()), .init(layout: lab()),
        ])
    }

    /// Firewall rules for the web network and two of its instances (one on each of two networks),
    /// covering every protocol, ports, address ranges, both actions and both directions.
    static func firewall(policy: FirewallPolicy? = nil) throws -> NFTablesRuleset.Firewall {
        let web1 = NICIdentity(project: "default", instance: "web-1", index: 0)
        let db1 = NICIdentity(project: "shop", instance: "db-1", index: 1)
        let plain = NICIdentity(project: "default", instance: "plain", index: 0)
        let lab = NICIdentity(project: "default", instance: "probe", index: 0)
        return NFTablesRuleset.Firewall(
            networks: [
                "web": FirewallRuleSet(rules: [
                    FirewallRule(id: 1, direction: .in, proto: .tcp, port: try PortRange(22), source: try subnet("10.1.2.0/24"), action: .drop),
                    FirewallRule(id: 2, direction: .out, proto: .any, destination: try subnet("192.0.2.0/24"), action: .drop),
                ], policy: policy),
            ],
            nics: [
                .init(identity: web1, network: "web", rules: [
                    FirewallRule(id: 1, direction: .in, proto: .tcp, port: try PortRange(22), source: try subnet("10.1.2.10/32"), action: .allow),
                    FirewallRule(id: 3, direction: .in, proto: .udp, port: try PortRange(8000, 8080), action: .drop),
                    FirewallRule(id: 4, direction: .out, proto: .icmp, action: .drop),
                ]),
                .init(identity: db1, network: "web", rules: [FirewallRule(id: 1, direction: .in, action: .drop)]),
                .init(identity: plain, network: "web", rules: []),
                .init(identity: lab, network: "lab", rules: []),
                .init(identity: NICIdentity(project: "default", instance: "gone", index: 0), network: "gone", rules: [
                    FirewallRule(direction: .in, action: .drop),
                ]),
            ])
    }
}
