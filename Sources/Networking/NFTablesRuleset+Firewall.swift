import JoistCore

/// The firewall's part of the ruleset: `table bridge NAME`, replaced in the same transaction as the
/// `inet` table.
///
/// Rules filter at the guests' tap devices, in the bridge family, so they hold for every path a
/// packet can take to or from a guest: another guest on the same bridge (the `forward` hook, which
/// the `inet` table never sees), the host itself (`input`, `output`), and anything routed through
/// the host (which enters through `input` and leaves through `output`). Direction `in` is a packet
/// leaving the bridge through the NIC's tap (`oifname TAP` in `forward` and `output`), `out` one
/// entering through it (`iifname TAP` in `forward` and `input`).
///
/// Each NIC has a chain per direction that holds (`in-TAP`, `out-TAP`), in this order and first
/// match wins: its instance's rules, a jump to its network's chain (`net-in-NAME`, `net-out-NAME`:
/// the network's rules, then its default policy). `allow` is `return`: the packet leaves the NIC's
/// filter and goes on to the next one (guest to guest, the receiver's `in` and the sender's `out`
/// must both let it pass); `drop` drops it. The rules match IPv4 only; ARP and IPv6 pass, except
/// where a `drop` policy drops what it does not know (it lets ARP, DHCP and the answers of allowed
/// connections through).
extension NFTablesRuleset {
    /// What the firewall covers: each network's rules and policy, and each NIC with its instance's rules.
    public struct Firewall: Sendable, Equatable {
        /// One NIC of an instance: its tap device, its network, and its instance's rules.
        public struct NIC: Sendable, Equatable {
            public var tap: String
            public var network: String
            /// Who the NIC is (`default/web-1 NIC 0`), a comment in the script.
            public var label: String
            public var rules: [FirewallRule]

            public init(identity: NICIdentity, network: String, rules: [FirewallRule]) {
                tap = LinkNames.tap(for: identity)
                self.network = network
                label = "\(identity.project)/\(identity.instance) NIC \(identity.index)"
                self.rules = rules
            }
        }

        /// The rules and policy of each network that has some, by network name.
        public var networks: [String: FirewallRuleSet]
        public var nics: [NIC]

        public init(networks: [String: FirewallRuleSet] = [:], nics: [NIC] = []) {
            self.networks = networks
            self.nics = nics
        }

        public static let none = Firewall()
    }

    /// The firewall table: declared and deleted (so removing the last rule removes it), then declared
    /// in full when any NIC has something to filter. NICs on networks not among `names` are left out.
    static func firewallTable(_ firewall: Firewall, networks names: Set<String>, table: String) throws(JoistError) -> [String] {
        let header = ["# The firewall: the whole of table bridge \(table), replaced in the same transaction."] + bridgeHeader(table)
        let nics = firewall.nics.filter { names.contains($0.network) }.sorted { ($0.network, $0.tap) < ($1.network, $1.tap) }
        var taps: Set<String> = []
        for nic in nics {
            guard taps.insert(nic.tap).inserted else { throw .invalidArgument("tap \(nic.tap) (\(nic.label)) is given twice") }
            for rule in nic.rules { try rule.validate() }
        }
        for set in firewall.networks.values { for rule in set.rules { try rule.validate() } }
        var dispatch: [FirewallRule.Direction: [String]] = [:]
        var chains: [String] = []
        var networkChains: Set<String> = []
        for nic in nics {
            let set = firewall.networks[nic.network] ?? FirewallRuleSet()
            for direction in FirewallRule.Direction.allCases {
                let own = nic.rules.filter { $0.direction == direction }.map(ruleLine)
                let shared = networkChain(set, direction: direction)
                guard !own.isEmpty || shared != nil else { continue }
                let name = "\(direction.rawValue)-\(nic.tap)"
                let jump = shared.map { _ in ["jump \(networkChainName(nic.network, direction))"] } ?? []
                chains += ["# \(nic.label) on network \(nic.network), direction \(direction.rawValue)"] + chain(name, hook: nil, own + jump)
                dispatch[direction, default: []].append("\(direction == .in ? "oifname" : "iifname") \(quoted(nic.tap)) jump \(name)")
                if let shared, networkChains.insert(networkChainName(nic.network, direction)).inserted {
                    chains += chain(networkChainName(nic.network, direction), hook: nil, shared)
                }
            }
        }
        guard !dispatch.isEmpty else { return header }
        let hook = { (name: String) in "type filter hook \(name) priority filter; policy accept;" }
        let base = chain("forward", hook: hook("forward"), (dispatch[.in] ?? []) + (dispatch[.out] ?? []))
            + chain("input", hook: hook("input"), dispatch[.out] ?? []) + chain("output", hook: hook("output"), dispatch[.in] ?? [])
        return header + ["table bridge \(table) {"] + (base + chains).map { "\t" + $0 } + ["}"]
    }

    /// Declaring the table first makes the delete succeed whether or not it existed.
    static func bridgeHeader(_ table: String) -> [String] {
        ["table bridge \(table) {}", "delete table bridge \(table)"]
    }

    /// `net-in-NAME` / `net-out-NAME`: a network's rules for one direction and its default policy.
    static func networkChainName(_ network: String, _ direction: FirewallRule.Direction) -> String {
        "net-\(direction.rawValue)-\(network)"
    }

    /// The lines of a network's chain for one direction, or nil when it has neither rules nor a
    /// `drop` policy there (its NICs then need no jump).
    static func networkChain(_ set: FirewallRuleSet, direction: FirewallRule.Direction) -> [String]? {
        let rules = set.rules.filter { $0.direction == direction }.map(ruleLine)
        let drops = (set.policy ?? .allowAll).action(direction) == .drop
        guard !rules.isEmpty || drops else { return nil }
        return rules + (drops ? dropPolicy : [])
    }

    /// A `drop` policy: ARP, DHCP and the answers of connections allowed through pass, all else drops.
    /// `ct` in the bridge family needs the kernel's bridge connection tracking.
    static let dropPolicy = ["ether type arp return", "ip protocol udp udp dport { 67, 68 } return", "ct state established,related return", "drop"]

    /// One rule: its matches, then `return` (allow: on to the next filter) or `drop`.
    static func ruleLine(_ rule: FirewallRule) -> String {
        var matches: [String] = []
        if let source = rule.source { matches.append("ip saddr \(FirewallRule.text(source))") }
        if let destination = rule.destination { matches.append("ip daddr \(FirewallRule.text(destination))") }
        switch rule.proto {
        case .tcp, .udp, .icmp:
            matches.append("ip protocol \(rule.proto.rawValue)")
            if let port = rule.port { matches.append("\(rule.proto.rawValue) dport \(port)") }
        case .any:
            if matches.isEmpty { matches.append("ether type ip") }
        }
        return (matches + [rule.action == .allow ? "return" : "drop"]).joined(separator: " ")
    }
}
