public import JoistCore

/// The files of one network's dnsmasq, rendered as text: its config and its reservations.
///
/// One dnsmasq runs per `nat` or `isolated` network, bound only to that network's bridge, serving
/// DHCP from the network's range and DNS for `INSTANCE.NETWORK.joist`. A `nat` network's guests get
/// the gateway as their router and their other queries forwarded to the host's resolvers; an
/// `isolated` network's guests get no router and no upstream, only their neighbours' names.
public struct DnsmasqConfig: Sendable, Equatable {
    public let paths: DnsmasqPaths
    /// The config file's text, for `paths.config`.
    public let config: String
    /// The reservations file's text, for `paths.hostsFile`.
    public let hosts: String

    /// How long a lease lasts before the guest renews it.
    public static let leaseTime = "1h"

    /// Renders both files; throws when the network is a `bridge` network (no dnsmasq of Joist's runs
    /// there) or a reservation is invalid (`DHCPReservation.validate`).
    public static func render(layout: NetworkLayout, reservations: [DHCPReservation], paths: DnsmasqPaths)
        throws(JoistError) -> DnsmasqConfig
    {
        guard let addressing = layout.addressing else {
            throw .invalidArgument("network \(layout.name) is a bridge to \(layout.bridge): Joist runs no dnsmasq for it")
        }
        try DHCPReservation.validate(reservations, on: layout)
        let config = configLines(layout: layout, addressing: addressing, paths: paths).joined(separator: "\n") + "\n"
        let hosts = reservations.sorted { $0.hostname < $1.hostname }.map { $0.hostsLine + "\n" }.joined()
        return DnsmasqConfig(paths: paths, config: config, hosts: hosts)
    }

    private static func configLines(layout: NetworkLayout, addressing: NetworkAddressing, paths: DnsmasqPaths) -> [String] {
        let range = addressing.dhcpRange
        return [
            "# dnsmasq for Joist network \(layout.name) (\(layout.kind.rawValue)); written by joistd, rewritten on every change.",
            "# Only the network's bridge: never the host's other interfaces, never loopback.",
            "interface=\(layout.bridge)",
            "bind-interfaces",
            "except-interface=lo",
            "",
            "# DNS: instances resolve as NAME.\(layout.domain), answered here and never forwarded.",
            "no-hosts",
            "domain=\(layout.domain)",
            "local=/\(layout.domain)/",
            "expand-hosts",
        ] + upstreamLines(layout) + [
            "",
            "# DHCP: the gateway \(addressing.gateway) is the host.",
            "dhcp-range=\(range.lowerBound),\(range.upperBound),\(addressing.subnet.netmask),\(leaseTime)",
            "dhcp-lease-max=\(addressing.dhcpRangeCount)",
            "dhcp-authoritative",
            routerLine(layout, addressing),
            "dhcp-leasefile=\(paths.leaseFile)",
            "dhcp-hostsfile=\(paths.hostsFile)",
            "",
            "pid-file=\(paths.pidFile)",
            "log-facility=\(paths.logFile)",
        ]
    }

    /// `nat`: other names go to the host's resolvers, except bare names and private reverse lookups,
    /// which stay on the network. `isolated`: nothing leaves.
    private static func upstreamLines(_ layout: NetworkLayout) -> [String] {
        layout.isRouted ? ["domain-needed", "bogus-priv"] : ["no-resolv"]
    }

    /// `nat` guests route through the gateway; `isolated` guests get an empty router option, which
    /// tells dnsmasq to send none (no default route, so nothing beyond the subnet looks reachable).
    private static func routerLine(_ layout: NetworkLayout, _ addressing: NetworkAddressing) -> String {
        layout.isRouted ? "dhcp-option=option:router,\(addressing.gateway)" : "dhcp-option=option:router"
    }
}
