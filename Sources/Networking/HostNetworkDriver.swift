/// The seam between Joist's networks as data and a host that carries them: links, the firewall table
/// and one DHCP/DNS server per hosted network.
///
/// Every change is idempotent (applying what is already there changes nothing, removing what is gone
/// succeeds), so a daemon that restarts re-applies every network exactly once without duplicates, and
/// an interrupted change is finished by doing it again. `LinuxHostNetwork` drives iproute2, nft and
/// dnsmasq; tests of the layers above use a fake.
public protocol HostNetworkDriver: Sendable {
    /// The IPv4 prefixes the host routes now, which a new network's subnet must not overlap.
    func routedSubnets() async throws -> [IPv4Subnet]

    /// Makes the network's bridge exist, up, with the gateway address (networks Joist hosts), and the
    /// host forwarding IPv4 when the network is routed. For a `bridge` network, checks that its parent
    /// interface exists and changes nothing.
    func ensureBridge(_ layout: NetworkLayout) async throws

    /// Removes a bridge Joist made (and the taps still joined to it); leaves a host's parent alone.
    func removeBridge(_ layout: NetworkLayout) async throws

    /// Replaces Joist's whole nftables table with `ruleset` in one transaction (`nft -f`), and sets
    /// what the rules need from the kernel (route_localnet on bridges with loopback forwards).
    func applyRuleset(_ ruleset: NFTablesRuleset) async throws

    /// Writes the network's dnsmasq files and makes one dnsmasq run with them: started when none
    /// runs, told to re-read its reservations (SIGHUP) when only they changed, restarted otherwise.
    func ensureDNSMasq(_ config: DnsmasqConfig, layout: NetworkLayout) async throws

    /// Stops the network's dnsmasq, if one runs, and leaves its files.
    func stopDNSMasq(_ paths: DnsmasqPaths) async throws

    /// Makes the tap device `name` exist, joined to `bridge`, up, for QEMU to open by name.
    func ensureTap(_ name: String, bridge: String) async throws

    /// Removes the tap device `name`, if it exists.
    func removeTap(_ name: String) async throws

    /// Whether the kernel tracks the connections of bridged traffic (`ct` in the bridge family,
    /// `CONFIG_NF_CONNTRACK_BRIDGE`), which a firewall `drop` policy needs to let answers through.
    func tracksBridgedConnections() async throws -> Bool

    /// What the host kernel supports for networks, found by trying each feature in a throwaway
    /// network namespace (so the host's own links never change). It runs a few commands: callers
    /// ask once and keep the answer.
    func probeFeatures() async -> HostNetworkFeatures

    /// Carries out the steps of `plan` in order, each idempotently (a VLAN link or membership that
    /// is already there stays). Callers check `plan.features` against `probeFeatures()` first.
    func applyVLANPlan(_ plan: VLANPlan) async throws
}

extension HostNetworkDriver {
    /// Drivers that filter nothing themselves (test fakes) accept every ruleset.
    public func tracksBridgedConnections() async throws -> Bool { true }
}
