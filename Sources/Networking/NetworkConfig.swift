/// A network as a user describes it and the store keeps it.
///
/// `subnet` is optional on input for `nat` and `isolated` networks: the daemon picks a free one
/// (`SubnetChooser`) and stores the config with it filled in, so a network keeps its addresses
/// for its whole life. `validate()` holds every rule; decoding does not validate, so a config
/// stored under older rules still loads and can be fixed.
public struct NetworkConfig: Codable, Sendable, Equatable {
    /// The network's name (a `ResourceName`): part of the DNS domain, the bridge name's hash and
    /// the nftables chain names.
    public var name: String
    public var kind: NetworkKind
    /// The addresses of a `nat` or `isolated` network; nil for `bridge` networks.
    public var subnet: IPv4Subnet?
    /// The host interface or bridge a `bridge` network's instances join; nil for the others.
    public var parent: String?
    /// The 802.1Q VLAN of the parent a `bridge` network sits on: Joist then makes a VLAN
    /// sub-interface of the parent with this id and a bridge of its own for it. Nil joins the
    /// parent itself; always nil for the other kinds (their NICs take VLANs of their own).
    public var vlan: Int?
    /// Free text for people.
    public var description: String

    public init(
        name: String, kind: NetworkKind, subnet: IPv4Subnet? = nil, parent: String? = nil, vlan: Int? = nil,
        description: String = ""
    ) {
        self.name = name
        self.kind = kind
        self.subnet = subnet
        self.parent = parent
        self.vlan = vlan
        self.description = description
    }

    private enum CodingKeys: String, CodingKey { case name, kind, subnet, parent, vlan, description }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            name: try container.decode(String.self, forKey: .name),
            kind: try container.decode(NetworkKind.self, forKey: .kind),
            subnet: try container.decodeIfPresent(IPv4Subnet.self, forKey: .subnet),
            parent: try container.decodeIfPresent(String.self, forKey: .parent),
            vlan: try container.decodeIfPresent(Int.self, forKey: .vlan),
            description: try container.decodeIfPresent(String.self, forKey: .description) ?? "")
    }
}
