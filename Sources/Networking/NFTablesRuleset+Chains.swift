extension NFTablesRuleset {
    /// Multicast and limited broadcast stay on the subnet: never masqueraded.
    static let unroutedDestinations = "{ 224.0.0.0/24, 255.255.255.255 }"

    /// The hooked chains, dispatching to the per-network chains.
    static func baseChains(_ networks: [Network]) -> [String] {
        let forwards = networks.flatMap(\.forwards).sorted()
        return chain(
            "prerouting", hook: "type nat hook prerouting priority dstnat; policy accept;", forwards.map(dnatRule))
            + chain("output", hook: "type nat hook output priority -100; policy accept;", forwards.map(dnatRule))
            + chain("postrouting", hook: "type nat hook postrouting priority srcnat; policy accept;",
                networks.flatMap(masqueradeRules))
            + chain("forward", hook: "type filter hook forward priority filter; policy accept;",
                networks.map { "oifname \(quoted($0.layout.bridge)) jump \(intoChain($0.layout))" }
                    + networks.map { "iifname \(quoted($0.layout.bridge)) jump \(fromChain($0.layout))" })
            + chain("input", hook: "type filter hook input priority filter; policy accept;",
                networks.map { "iifname \(quoted($0.layout.bridge)) jump \(hostChain($0.layout))" })
    }

    /// `into-NAME`, `from-NAME` and `host-NAME` of one hosted network.
    static func networkChains(_ network: Network) -> [String] {
        let layout = network.layout
        let bridge = quoted(layout.bridge)
        let subnet = layout.addressing.map { "\($0.subnet)" } ?? ""
        let forwardsIn = network.forwards.sorted().map {
            "ip daddr \($0.targetAddress) \($0.proto.rawValue) dport \($0.targetPort) ct status dnat accept"
        }
        let into = ["ct state established,related accept"] + forwardsIn + ["iifname \(bridge) accept", "drop"]
        let from = layout.isRouted ? ["ip saddr \(subnet) oifname != \(quoted(LinkNames.bridgePrefix + "*")) accept", "drop"] : ["drop"]
        let host = ["udp dport { 53, 67 } accept", "tcp dport 53 accept"]
        return chain(intoChain(layout), hook: nil, into) + chain(fromChain(layout), hook: nil, from)
            + chain(hostChain(layout), hook: nil, host)
    }

    /// Traffic routed into the network: replies, port forwards, and (with `br_netfilter`) guests
    /// talking to each other across the bridge; nothing else.
    static func intoChain(_ layout: NetworkLayout) -> String { "into-\(layout.name)" }
    /// Traffic routed out of the network: a `nat` network's own subnet to anything but another
    /// Joist network; nothing from an `isolated` one.
    static func fromChain(_ layout: NetworkLayout) -> String { "from-\(layout.name)" }
    /// Traffic from the network to the host itself.
    static func hostChain(_ layout: NetworkLayout) -> String { "host-\(layout.name)" }

    /// `ip daddr A tcp dport P dnat ip to T:Q`; a forward listening everywhere matches every local
    /// address instead.
    static func dnatRule(_ forward: PortForward) -> String {
        let match = forward.listensEverywhere ? "fib daddr type local" : "ip daddr \(forward.listenAddress)"
        return "\(match) \(forward.proto.rawValue) dport \(forward.listenPort) dnat ip to \(forward.targetAddress):\(forward.targetPort)"
    }

    /// A `nat` network's subnet leaving through other interfaces looks like the host; so do guests
    /// reaching a neighbour through a forward (else the reply would skip the host and be dropped),
    /// and host connections from loopback, which the guest could not answer.
    static func masqueradeRules(_ network: Network) -> [String] {
        guard network.layout.masquerades, let addressing = network.layout.addressing else { return [] }
        let bridge = quoted(network.layout.bridge)
        var rules = ["oifname != \(bridge) ip saddr \(addressing.subnet) ip daddr != \(unroutedDestinations) masquerade"]
        if !network.forwards.isEmpty { rules.append("oifname \(bridge) ip saddr \(addressing.subnet) ct status dnat masquerade") }
        if network.needsRouteLocalnet { rules.append("oifname \(bridge) ip saddr 127.0.0.0/8 masquerade") }
        return rules
    }

    /// A chain's lines: `chain NAME {`, the hook line of a base chain, the rules indented, `}`.
    static func chain(_ name: String, hook: String?, _ rules: [String]) -> [String] {
        ["chain \(name) {"] + ([hook].compactMap { $0 } + rules).map { "\t" + $0 } + ["}"]
    }

    /// Interface names in double quotes (`InterfaceName` and `LinkNames` never contain one).
    static func quoted(_ interface: String) -> String { "\"\(interface)\"" }
}
