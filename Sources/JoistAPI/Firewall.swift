public import Networking

/// `POST /1.0/instances/{name}/firewall` and `POST /1.0/networks/{network}/firewall`: a rule as a user
/// gives it, without the number the daemon gives it. `source` and `destination` are an address
/// (`10.1.2.10`) or a CIDR range (`10.1.2.0/24`); `port` one port or a range (`8000-8080`).
public struct FirewallRuleCreate: Codable, Sendable, Equatable {
    public var direction: FirewallRule.Direction
    public var proto: FirewallRule.Proto?
    public var port: PortRange?
    public var source: String?
    public var destination: String?
    public var action: FirewallRule.Action

    public init(
        direction: FirewallRule.Direction, proto: FirewallRule.Proto? = nil, port: PortRange? = nil, source: String? = nil,
        destination: String? = nil, action: FirewallRule.Action
    ) {
        self.direction = direction
        self.proto = proto
        self.port = port
        self.source = source
        self.destination = destination
        self.action = action
    }

    /// The JSON fields the request may carry.
    public static let fields: Set<String> = ["direction", "proto", "port", "source", "destination", "action"]

    /// The rule it asks for (number 0 until added), checked: addresses parse, a port only with tcp or udp.
    public func rule() throws -> FirewallRule {
        let rule = FirewallRule(
            direction: direction, proto: proto ?? .any, port: port, source: try source.map { text throws in try FirewallRule.addresses(parsing: text) },
            destination: try destination.map { text throws in try FirewallRule.addresses(parsing: text) }, action: action)
        try rule.validate()
        return rule
    }
}
