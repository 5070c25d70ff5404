import Foundation
import JoistCore

/// Bridges: Joist's own (`jb-`) for hosted networks and `bridge` networks on a VLAN, the host's for
/// the other `bridge` networks.
extension LinuxHostNetwork {
    /// A `bridge` network on a VLAN gets a bridge of its own without an address: the LAN's router
    /// serves its guests, and its VLAN sub-interface joins the bridge in `applyVLANPlan`.
    public func ensureBridge(_ layout: NetworkLayout) async throws {
        guard layout.ownsBridge else {
            try await checkParent(layout)
            return
        }
        let bridge = try Self.joistLink(layout.bridge, prefix: LinkNames.bridgePrefix, role: "bridge")
        let existing = try await link(named: bridge)
        if let existing, !existing.isBridge {
            throw JoistError.alreadyExists(
                "cannot create bridge \(bridge) for network \(layout.name): a \(existing.kind ?? "network") link has that name; "
                    + "remove it (ip link del \(bridge)) and try again")
        }
        let mac = try Self.bridgeMAC(network: layout.name)
        if existing == nil {
            try await check(.ip, ["link", "add", "name", bridge, "address", mac.description, "type", "bridge"],
                            to: "create bridge \(bridge) for network \(layout.name)")
        } else if existing?.mac?.lowercased() != mac.description {
            try await check(.ip, ["link", "set", "dev", bridge, "address", mac.description],
                            to: "set the MAC address of bridge \(bridge) (network \(layout.name))")
        }
        if let addressing = layout.addressing {
            try await setOnlyAddress("\(addressing.gateway)/\(addressing.subnet.prefixLength)", on: bridge,
                                     current: existing?.ipv4Addresses ?? [], network: layout.name)
        }
        if existing?.isUp != true {
            try await check(.ip, ["link", "set", "dev", bridge, "up"], to: "bring up bridge \(bridge) (network \(layout.name))")
        }
        if layout.isRouted { try await enableForwarding(for: layout.name) }
    }

    public func removeBridge(_ layout: NetworkLayout) async throws {
        // A `bridge` network's bridge is the host's: its taps go one by one with their NICs.
        guard layout.ownsBridge else { return }
        let bridge = try Self.joistLink(layout.bridge, prefix: LinkNames.bridgePrefix, role: "bridge")
        guard let existing = try await link(named: bridge), existing.isBridge else { return }
        // Deleting a bridge only releases its ports; a tap would stay behind, persistent and unjoined.
        for tap in try await links(joinedTo: bridge) where tap.isTap && tap.name.hasPrefix(LinkNames.tapPrefix) {
            try await removeTap(tap.name)
        }
        try await check(.ip, ["link", "del", "dev", bridge], to: "delete bridge \(bridge) of network \(layout.name)")
    }

    /// The MAC address of a network's bridge: locally administered (`02:`), from the network name's
    /// stable hash, and set explicitly. A bridge without a set address takes the lowest of its
    /// ports' addresses, so the gateway's MAC would change whenever a tap joins or leaves and
    /// guests would keep sending to a stale ARP entry.
    /// (`02:` is unicast and never all zeros, so this never throws.)
    static func bridgeMAC(network: String) throws(JoistError) -> MACAddress {
        try MACAddress(UInt64(0x02) << 40 | StableHash.fnv1a64("bridge/" + network) >> 24)
    }

    /// Makes `address` the bridge's only IPv4 address: a Joist bridge carries the gateway and
    /// nothing else, so a stale address from an earlier subnet is removed.
    private func setOnlyAddress(_ address: String, on bridge: String, current: [String], network: String) async throws {
        for stale in current where stale != address {
            try await check(.ip, ["addr", "del", stale, "dev", bridge], to: "remove address \(stale) from bridge \(bridge) (network \(network))")
        }
        guard !current.contains(address) else { return }
        try await check(.ip, ["addr", "add", address, "brd", "+", "dev", bridge],
                        to: "give bridge \(bridge) the gateway address \(address) (network \(network))")
    }

    /// Turns on IPv4 forwarding, which routed networks need; never turns it off, since the host may
    /// route for others too. Maps to `sysctl net.ipv4.ip_forward`.
    private func enableForwarding(for network: String) async throws {
        let current = try await check(.sysctl, ["-n", "net.ipv4.ip_forward"], to: "read net.ipv4.ip_forward")
        guard current.stdout.trimmingCharacters(in: .whitespacesAndNewlines) != "1" else { return }
        try await check(.sysctl, ["-q", "-w", "net.ipv4.ip_forward=1"], to: "turn on IPv4 forwarding for network \(network)")
    }

    /// A `bridge` network joins the host's bridge as it is: it must exist and be a bridge, since
    /// tap devices can only join a bridge.
    private func checkParent(_ layout: NetworkLayout) async throws {
        let parent = try InterfaceName.validate(layout.bridge, role: "parent interface")
        guard let link = try await link(named: parent) else {
            throw JoistError.notFound(
                "network \(layout.name) bridges to \(parent), which does not exist on this host: "
                    + "create it, or delete the network and create it again with another --parent")
        }
        guard link.isBridge else {
            throw JoistError.invalidArgument(
                "network \(layout.name)'s parent \(parent) is a \(link.kind ?? "physical") interface, not a bridge: "
                    + "instances join the LAN through a Linux bridge; create one (ip link add br0 type bridge), "
                    + "add \(parent) to it and use it as the parent")
        }
    }
}
