public import Networking
public import JoistCore

/// `POST /1.0/networks`: a network as a user asks for it.
///
/// `subnet` is for `nat` and `isolated` networks, and optional: without it the daemon picks a free
/// `10.X.Y.0/24`. `parent` is for `bridge` networks, and required: the host interface or bridge
/// their instances join. `vlan` puts a `bridge` network on that VLAN of its parent.
public struct NetworkCreate: Codable, Sendable, Equatable {
    public var name: String
    public var type: NetworkKind
    public var subnet: IPv4Subnet?
    public var parent: String?
    public var vlan: Int?
    public var description: String?

    public init(
        name: String, type: NetworkKind, subnet: IPv4Subnet? = nil, parent: String? = nil, vlan: Int? = nil,
        description: String? = nil
    ) {
        self.name = name
        self.type = type
        self.subnet = subnet
        self.parent = parent
        self.vlan = vlan
        self.description = description
    }

    /// The config the request describes, before the daemon settles its subnet.
    public var config: NetworkConfig {
        NetworkConfig(name: name, kind: type, subnet: subnet, parent: parent, vlan: vlan, description: description ?? "")
    }
}

/// `GET /1.0/networks/{network}`: a network's config (with the subnet the daemon chose), what it is on
/// the host, and the instances whose NICs use it.
public struct NetworkInfo: Codable, Sendable, Equatable {
    public var config: NetworkConfig
    /// The Linux bridge instances' tap devices join: Joist's own `jb-…` for `nat` and `isolated`
    /// networks, the parent for `bridge` networks.
    public var bridge: String
    /// The host's address on the bridge: the guests' router (on `nat`), DHCP and DNS server; absent
    /// for `bridge` networks, whose LAN assigns addresses.
    public var gateway: IPv4Address?
    /// The addresses dnsmasq leases; absent for `bridge` networks.
    public var dhcpRange: NetworkAddressRange?
    /// The instances with a NIC on the network that the caller may see, sorted by project and name.
    public var usedBy: [NetworkUser]

    public init(
        config: NetworkConfig, bridge: String, gateway: IPv4Address? = nil, dhcpRange: NetworkAddressRange? = nil,
        usedBy: [NetworkUser] = []
    ) {
        self.config = config
        self.bridge = bridge
        self.gateway = gateway
        self.dhcpRange = dhcpRange
        self.usedBy = usedBy
    }
}

/// A range of IPv4 addresses, both ends included.
public struct NetworkAddressRange: Codable, Sendable, Equatable {
    public var first: IPv4Address
    public var last: IPv4Address

    public init(first: IPv4Address, last: IPv4Address) {
        self.first = first
        self.last = last
    }
}

/// An instance that uses a network, named with its project (networks are global).
public struct NetworkUser: Codable, Sendable, Hashable, Comparable {
    public var project: String
    public var name: String

    public init(project: String, name: String) {
        self.project = project
        self.name = name
    }

    public static func < (a: NetworkUser, b: NetworkUser) -> Bool { (a.project, a.name) < (b.project, b.name) }
}
