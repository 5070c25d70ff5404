import JoistCore

/// The `HostNetworkDriver` of a Linux host: iproute2 for links, `nft -f` for the ruleset, one
/// dnsmasq per hosted network.
///
/// Not written yet: every change throws `unsupported`, so a daemon without networks starts as before
/// and creating a network says plainly that this host cannot carry one.
public struct LinuxHostNetwork: HostNetworkDriver {
    /// `namespace`: the network namespace to act in (tests use one of their own); nil for the host's.
    public init(namespace: String? = nil) {}

    private func notImplemented(_ action: String) -> JoistError {
        JoistError(.unsupported, "cannot \(action): joistd cannot drive this host's networking yet (not implemented)")
    }

    public func routedSubnets() async throws -> [IPv4Subnet] { throw notImplemented("read the host's routes") }
    public func ensureBridge(_ layout: NetworkLayout) async throws { throw notImplemented("set up the bridge of network \(layout.name)") }
    public func removeBridge(_ layout: NetworkLayout) async throws { throw notImplemented("remove the bridge of network \(layout.name)") }
    public func applyRuleset(_ ruleset: NFTablesRuleset) async throws { throw notImplemented("apply the nftables ruleset") }
    public func ensureDNSMasq(_ config: DnsmasqConfig, layout: NetworkLayout) async throws {
        throw notImplemented("start dnsmasq for network \(layout.name)")
    }
    public func stopDNSMasq(_ paths: DnsmasqPaths) async throws { throw notImplemented("stop dnsmasq in \(paths.directory)") }
    public func ensureTap(_ name: String, bridge: String) async throws { throw notImplemented("create tap device \(name)") }
    public func removeTap(_ name: String) async throws { throw notImplemented("remove tap device \(name)") }
}
