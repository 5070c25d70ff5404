public import JoistCore

/// One firewall rule of an instance or a network: which IPv4 packets it matches, and whether they
/// pass (`allow`) or are dropped.
///
/// `direction` is seen from the guest: `in` is traffic arriving at the instance's NIC (from other
/// guests, the host, or routed from outside), `out` is traffic the guest sends. `port` is the
/// packet's destination port: the instance's service for `in`, the remote one for `out`. `source`
/// and `destination` are the packet's addresses, in either direction. Rules match packets, not
/// connections (the host's kernel tracks no bridged connections, see `FirewallPolicy`), so a rule
/// that names no port drops the answers to the guest's own connections too.
///
/// `id` numbers the rule within its list (instance or network) and never changes; the daemon gives
/// it when the rule is added (0 until then), and `joist firewall remove` names it.
public struct FirewallRule: Codable, Sendable, Hashable, CustomStringConvertible {
    public enum Direction: String, Codable, Sendable, CaseIterable {
        case `in`, out
    }

    public enum Proto: String, Codable, Sendable, CaseIterable {
        case tcp, udp, icmp, any
    }

    public enum Action: String, Codable, Sendable, CaseIterable {
        case allow, drop
    }

    public var id: Int
    public var direction: Direction
    public var proto: Proto
    /// Destination port(s), for `tcp` and `udp` only; nil matches every port.
    public var port: PortRange?
    /// Source addresses; nil matches any.
    public var source: IPv4Subnet?
    /// Destination addresses; nil matches any.
    public var destination: IPv4Subnet?
    public var action: Action

    public init(
        id: Int = 0, direction: Direction, proto: Proto = .any, port: PortRange? = nil, source: IPv4Subnet? = nil,
        destination: IPv4Subnet? = nil, action: Action
    ) {
        self.id = id
        self.direction = direction
        self.proto = proto
        self.port = port
        self.source = source
        self.destination = destination
        self.action = action
    }

    /// The most rules one instance or one network may have: each is a line the kernel evaluates for
    /// every packet of the NICs it covers.
    public static let maxRules = 256

    /// Checks that the rule can be rendered as it reads: a port only with `tcp` or `udp`.
    public func validate() throws(JoistError) {
        if let port, proto != .tcp && proto != .udp {
            throw .invalidArgument("firewall rule '\(self)' names port \(port), but only tcp and udp have ports; add --proto tcp or --proto udp")
        }
        guard id >= 0 else { throw .invalidArgument("firewall rule id \(id) must not be negative") }
    }

    /// `in tcp port 22 from 10.1.2.0/24 drop`, as `joist firewall list` shows it.
    public var description: String {
        var words = [direction.rawValue, proto.rawValue]
        if let port { words += ["port", "\(port)"] }
        if let source { words += ["from", Self.text(source)] }
        if let destination { words += ["to", Self.text(destination)] }
        return (words + [action.rawValue]).joined(separator: " ")
    }

    /// An address range as a user gives it: a single address without `/32`.
    public static func text(_ subnet: IPv4Subnet) -> String {
        subnet.prefixLength == 32 ? "\(subnet.network)" : "\(subnet)"
    }

    /// Parses `10.1.2.0/24`, or a single address `10.1.2.10` as `10.1.2.10/32`.
    public static func addresses(parsing text: String) throws(JoistError) -> IPv4Subnet {
        text.contains("/") ? try IPv4Subnet(parsing: text) : try IPv4Subnet(network: try IPv4Address(parsing: text), prefixLength: 32)
    }

    private enum CodingKeys: String, CodingKey { case id, direction, proto, port, source, destination, action }

    /// `id` and `proto` may be left out (0 and `any`); the rest as encoded.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            id: try container.decodeIfPresent(Int.self, forKey: .id) ?? 0,
            direction: try container.decode(Direction.self, forKey: .direction),
            proto: try container.decodeIfPresent(Proto.self, forKey: .proto) ?? .any,
            port: try container.decodeIfPresent(PortRange.self, forKey: .port),
            source: try container.decodeIfPresent(String.self, forKey: .source).map { text throws in try Self.addresses(parsing: text) },
            destination: try container.decodeIfPresent(String.self, forKey: .destination).map { text throws in try Self.addresses(parsing: text) },
            action: try container.decode(Action.self, forKey: .action))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(direction, forKey: .direction)
        try container.encode(proto, forKey: .proto)
        try container.encodeIfPresent(port, forKey: .port)
        try container.encodeIfPresent(source.map(Self.text), forKey: .source)
        try container.encodeIfPresent(destination.map(Self.text), forKey: .destination)
        try container.encode(action, forKey: .action)
    }
}
