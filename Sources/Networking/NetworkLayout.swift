public import JoistCore

/// What a network is on the host, derived from its `NetworkConfig`: the bridge its instances' tap
/// devices join, the addresses Joist manages on it, and how traffic leaves it.
///
/// It is the one input of every renderer (dnsmasq, nftables) and of the step that creates the
/// links, so they agree on names and addresses by construction.
public struct NetworkLayout: Sendable, Equatable {
    public let name: String
    public let kind: NetworkKind
    /// The Linux bridge instances join: `jb-<hash>` (Joist creates it) for `nat` and `isolated`
    /// networks and for `bridge` networks on a VLAN, the parent interface (the host's) for the
    /// other `bridge` networks.
    public let bridge: String
    /// The addresses of a hosted network; nil for a `bridge` network, whose LAN assigns them.
    public let addressing: NetworkAddressing?
    /// The VLAN sub-interface of the parent that joins a `bridge` network's own bridge to the LAN;
    /// nil for networks without a `vlan`.
    public let uplink: VLANUplink?

    /// The layout of a complete, valid config (`NetworkConfig.validateComplete()`).
    public init(_ config: NetworkConfig) throws(JoistError) {
        try config.validateComplete()
        name = config.name
        kind = config.kind
        switch config.kind {
        case .nat, .isolated:
            guard let subnet = config.subnet, let addressing = NetworkAddressing(subnet: subnet) else {
                throw .invalidArgument("network \(config.name) has no subnet with room for a gateway and guests")
            }
            bridge = LinkNames.bridge(network: config.name)
            self.addressing = addressing
            uplink = nil
        case .bridge:
            guard let parent = config.parent else { throw .invalidArgument("bridge network \(config.name) has no parent") }
            addressing = nil
            if let vlan = config.vlan {
                bridge = LinkNames.bridge(network: config.name)
                uplink = VLANUplink(parent: parent, id: vlan, name: LinkNames.vlanLink(network: config.name))
            } else {
                bridge = parent
                uplink = nil
            }
        }
    }

    /// Whether Joist creates (and deletes) the bridge, rather than joining the host's.
    public var ownsBridge: Bool { kind.isHosted || uplink != nil }

    /// Whether guests' traffic leaving to the host's other interfaces is masqueraded as the host's.
    public var masquerades: Bool { kind == .nat }

    /// Whether the host routes traffic between the network and anything else at all; an isolated
    /// network's guests reach each other and the host, nothing beyond.
    public var isRouted: Bool { kind == .nat }

    /// The host's address on the bridge (nil for `bridge` networks).
    public var gateway: IPv4Address? { addressing?.gateway }

    /// The DNS domain of the network's instances, `web-1.NAME.joist` (lower case, as DNS names are
    /// shown).
    public var domain: String { "\(name.lowercased()).joist" }
}

/// A VLAN sub-interface of a host interface (`ip link add link PARENT name NAME type vlan id ID`),
/// joined as a port to a network's own bridge: what the LAN sends tagged with `id` reaches the
/// network's instances untagged, and what they send leaves tagged.
public struct VLANUplink: Sendable, Equatable {
    /// The host's interface that carries the tagged frames (the host's, never changed).
    public let parent: String
    public let id: Int
    /// The sub-interface's name, `jv-<hash>` (`LinkNames.vlanLink`).
    public let name: String
}
