public import JoistCore

extension NetworkConfig {
    /// Prefix lengths a hosted network may have: /16 gives dnsmasq 65,533 leases to manage, /29
    /// still leaves the gateway and five guests.
    public static let prefixLengths: ClosedRange<Int> = 16...29

    /// The longest description kept.
    public static let maxDescriptionLength = 1024

    /// Address blocks no network may use, with the reason a user is told.
    static let reservedBlocks: [(subnet: IPv4Subnet, reason: String)] = [
        (block(0, 0, 8), "0.0.0.0/8 means \"this host\""),
        (block(127, 0, 8), "127.0.0.0/8 is the host's loopback"),
        (block(169, 254, 16), "169.254.0.0/16 is link-local"),
        (block(224, 0, 4), "224.0.0.0/4 is multicast"),
        (block(240, 0, 4), "240.0.0.0/4 is reserved"),
    ]

    private static func block(_ a: UInt8, _ b: UInt8, _ prefix: Int) -> IPv4Subnet {
        IPv4Subnet(literal: IPv4Address(a, b, 0, 0), prefixLength: prefix)
    }

    /// Checks every rule for the config as given (`subnet` may still be absent on a hosted network;
    /// `validateComplete()` also requires it). Throws `invalidArgument` with the first problem.
    public func validate() throws(JoistError) {
        try ResourceName.validate(name, kind: "network")
        guard description.count <= Self.maxDescriptionLength else {
            throw .invalidArgument("the description of network \(name) is longer than \(Self.maxDescriptionLength) characters")
        }
        switch kind {
        case .nat, .isolated:
            if let parent {
                throw .invalidArgument(
                    "network \(name) is \(kind.rawValue): only bridge networks take a parent interface (got '\(parent)')")
            }
            if let subnet { try Self.validate(subnet, network: name) }
            if let vlan {
                throw .invalidArgument(
                    "network \(name) is \(kind.rawValue): only bridge networks sit on a VLAN of their parent (got vlan \(vlan)); "
                        + "give its NICs a VLAN instead (--nic network=\(name),vlan=\(vlan))")
            }
        case .bridge:
            if let subnet {
                throw .invalidArgument(
                    "network \(name) is a bridge to a host interface: it takes no subnet (got \(subnet)); the LAN assigns addresses")
            }
            guard let parent else {
                throw .invalidArgument(
                    "bridge network \(name) needs a parent: the host interface or bridge its instances join, e.g. --parent br0")
            }
            try Self.validateParent(parent, network: name)
            if let vlan { try VLANPort.validate(vlan, what: "network \(name)'s vlan") }
        }
    }

    /// `validate()`, and a hosted network must have its subnet: what the store keeps and
    /// `NetworkLayout` needs.
    public func validateComplete() throws(JoistError) {
        try validate()
        if kind.isHosted, subnet == nil {
            throw .invalidArgument("network \(name) is \(kind.rawValue) but has no subnet")
        }
    }

    /// A hosted network's subnet: /16 to /29, outside the reserved blocks.
    static func validate(_ subnet: IPv4Subnet, network: String) throws(JoistError) {
        guard prefixLengths.contains(subnet.prefixLength) else {
            throw .invalidArgument(
                "subnet \(subnet) of network \(network) must have a prefix from /\(prefixLengths.lowerBound) to /\(prefixLengths.upperBound)")
        }
        for block in reservedBlocks where block.subnet.overlaps(subnet) {
            throw .invalidArgument("subnet \(subnet) of network \(network) cannot be used: \(block.reason)")
        }
    }

    /// A bridge network's parent: a valid interface name that is not one of Joist's own links.
    static func validateParent(_ parent: String, network: String) throws(JoistError) {
        try InterfaceName.validate(parent, role: "parent interface")
        guard !LinkNames.isJoistLink(parent) else {
            throw .invalidArgument(
                "network \(network) cannot use \(parent) as its parent: Joist manages that link for another network or NIC")
        }
    }
}
