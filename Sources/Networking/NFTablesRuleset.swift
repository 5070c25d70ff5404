public import JoistCore

/// Every nftables rule Joist needs, as one script that replaces Joist's own table and nothing else.
///
/// The script declares the table, deletes it and declares it again in full, and `nft -f` runs a
/// file as one transaction: applying it is atomic (no moment without rules), idempotent (applying
/// twice leaves one copy of every rule) and independent of what was there before, so a daemon
/// restart or a deleted network needs nothing but a fresh render. The host's own tables are never
/// touched; base chains accept by default so Joist decides only about its own networks' traffic.
///
/// Chains (in the `inet` family, IPv4 rules):
/// - `prerouting`, `output` (nat): port forwards, for connections arriving from outside and from the
///   host itself.
/// - `postrouting` (nat): masquerade of `nat` subnets leaving through other interfaces; hair-pinned
///   and loopback-sourced forwards.
/// - `forward` (filter): hands traffic routed into a network to `into-NAME`, and then traffic routed
///   out of one to `from-NAME`. Each decides with a final verdict.
/// - `input` (filter): hands traffic from a network to the host to `host-NAME`, which accepts DHCP
///   and DNS first and leaves the rest to the host.
///
/// The firewall (per-instance and per-network rules) is a second table, `bridge NAME`, in the same
/// script: it filters at the guests' tap devices, which also covers guests talking to each other
/// across their bridge (see `NFTablesRuleset+Firewall.swift`).
public struct NFTablesRuleset: Sendable, Equatable {
    /// One network's part: its layout and its port forwards.
    public struct Network: Sendable, Equatable {
        public var layout: NetworkLayout
        public var forwards: [PortForward]

        public init(layout: NetworkLayout, forwards: [PortForward] = []) {
            self.layout = layout
            self.forwards = forwards
        }

        /// Whether a forward is reachable from the host's loopback, so loopback-sourced packets
        /// must be routed to the bridge: `sysctl net.ipv4.conf.BRIDGE.route_localnet=1` before
        /// applying (Linux drops them otherwise).
        public var needsRouteLocalnet: Bool { forwards.contains(where: \.listensOnLoopback) }
    }

    /// The table Joist owns unless told otherwise (tests in namespaces of their own use it too).
    public static let defaultTable = "joist"

    /// The table the script replaces, in the `inet` family.
    public let table: String
    /// The script for `nft -f`.
    public let script: String
    /// The `route_localnet` setting of each hosted network's bridge: on where a forward is
    /// reachable from the host's loopback (`Network.needsRouteLocalnet`), off elsewhere, so removing
    /// the last such forward turns it off again.
    public let routeLocalnet: [String: Bool]

    /// Renders the ruleset for every network on the host (order does not matter: networks are
    /// sorted by name). `bridge` networks contribute nothing to the `inet` table; Joist neither routes
    /// nor filters the LAN, though the firewall filters its own NICs there. Without a `nat` or
    /// `isolated` network the script removes the `inet` table (and does nothing when it is not there),
    /// so deleting the last network leaves no empty table behind. Throws when networks share a name,
    /// a bridge or addresses, or a forward or firewall rule is invalid.
    public static func render(
        _ networks: [Network], firewall: Firewall = .none, table: String = defaultTable
    ) throws(JoistError) -> NFTablesRuleset {
        try ResourceName.validate(table, kind: "nftables table")
        try validate(networks)
        let hosted = networks.filter { $0.layout.kind.isHosted }.sorted { $0.layout.name < $1.layout.name }
        let filter = try firewallTable(firewall, networks: Set(networks.map(\.layout.name)), table: table)
        guard !hosted.isEmpty else {
            // Nothing to route: the inet table goes, rather than staying behind empty.
            let comment = "# Joist's rules, written by joistd: no network is routed, so table inet \(table) is removed."
            return NFTablesRuleset(table: table, script: ([comment] + header(table) + filter).joined(separator: "\n") + "\n", routeLocalnet: [:])
        }
        let body = baseChains(hosted) + hosted.flatMap(networkChains)
        let comment = "# Joist's rules, written by joistd: the whole of table inet \(table), replaced in one transaction."
        let script = [comment] + header(table) + ["table inet \(table) {"] + body.map { "\t" + $0 } + ["}"] + filter
        let routeLocalnet = Dictionary(hosted.map { ($0.layout.bridge, $0.needsRouteLocalnet) }, uniquingKeysWith: { $0 || $1 })
        return NFTablesRuleset(table: table, script: script.joined(separator: "\n") + "\n", routeLocalnet: routeLocalnet)
    }

    /// A script that removes Joist's tables (every rule of every network, the firewall), and does
    /// nothing when they are not there.
    public static func removalScript(table: String = defaultTable) throws(JoistError) -> String {
        try ResourceName.validate(table, kind: "nftables table")
        return (header(table) + bridgeHeader(table)).joined(separator: "\n") + "\n"
    }

    /// Declaring the table first makes the delete succeed whether or not it existed.
    private static func header(_ table: String) -> [String] {
        ["table inet \(table) {}", "delete table inet \(table)"]
    }
}
