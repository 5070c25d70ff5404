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
    /// Free text for people.
    public var description: String

    public init(name: String, kind: NetworkKind, subnet: IPv4Subnet? = nil, parent: String? = nil, description: String = "") {
        self.name = name
        self.kind = kind
        self.subnet = subnet
        self.parent = parent
        self.description = description
    }

    private enum CodingKeys: String, CodingKey { case name, kind, subnet, parent, description }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            name: try container.decode(String.self, forKey: .name),
            kind: try container.decode(NetworkKind.self, forKey: .kind),
            subnet: try container.decodeIfPresent(IPv4Subnet.self, forKey: .subnet),
            parent: try container.decodeIfPresent(String.self, forKey: .parent),
            description: try container.decodeIfPresent(String.self, forKey: .description) ?? "")
    }
}
