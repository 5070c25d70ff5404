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
    /// networks, the parent interface (the host's) for `bridge` networks.
    public let bridge: String
    /// The addresses of a hosted network; nil for a `bridge` network, whose LAN assigns them.
    public let addressing: NetworkAddressing?

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
        case .bridge:
            guard let parent = config.parent else { throw .invalidArgument("bridge network \(config.name) has no parent") }
            bridge = parent
            addressing = nil
        }
    }

    /// Whether Joist creates (and deletes) the bridge, rather than joining the host's.
    public var ownsBridge: Bool { kind.isHosted }

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
