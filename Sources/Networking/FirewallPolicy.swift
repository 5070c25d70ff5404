public import JoistCore

/// What a network does with the traffic of its guests that no instance or network rule matched:
/// `allow` (the default) or `drop`, for each direction.
///
/// A `drop` policy still lets the answers to allowed connections through, which needs the kernel to
/// track connections of bridged traffic (`CONFIG_NF_CONNTRACK_BRIDGE`); on a host without it the
/// daemon refuses a `drop` policy (`HostNetworkDriver.tracksBridgedConnections`), since dropping
/// every answer would cut off the guests' own connections.
public struct FirewallPolicy: Codable, Sendable, Hashable, CustomStringConvertible {
    public var `in`: FirewallRule.Action
    public var out: FirewallRule.Action

    public init(in inbound: FirewallRule.Action = .allow, out: FirewallRule.Action = .allow) {
        self.in = inbound
        self.out = out
    }

    /// Both directions `allow`: what a network without a policy of its own has.
    public static let allowAll = FirewallPolicy()

    /// The policy of one direction.
    public func action(_ direction: FirewallRule.Direction) -> FirewallRule.Action {
        direction == .in ? self.in : out
    }

    /// Whether either direction drops.
    public var dropsAny: Bool { self.in == .drop || out == .drop }

    /// `in allow, out drop`.
    public var description: String { "in \(self.in.rawValue), out \(out.rawValue)" }

    private enum CodingKeys: String, CodingKey { case `in`, out }

    /// A direction left out is `allow`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            in: try container.decodeIfPresent(FirewallRule.Action.self, forKey: .in) ?? .allow,
            out: try container.decodeIfPresent(FirewallRule.Action.self, forKey: .out) ?? .allow)
    }
}

/// The rules of one instance or one network, in the order they are evaluated, and a network's
/// default policy (instances have none: what their rules leave open goes on to their networks').
public struct FirewallRuleSet: Codable, Sendable, Equatable {
    public var rules: [FirewallRule]
    /// A network's policy; nil for instances, and for networks that never set one (`allowAll`).
    public var policy: FirewallPolicy?

    public init(rules: [FirewallRule] = [], policy: FirewallPolicy? = nil) {
        self.rules = rules
        self.policy = policy
    }

    /// Whether the set changes nothing: no rules and no policy but `allowAll`.
    public var isEmpty: Bool { rules.isEmpty && (policy ?? .allowAll) == .allowAll }

    /// The set with `rule` appended under the next free id (one above the highest ever given, so a
    /// removed rule's id is not reused while later rules still carry higher ones). `owner` names the
    /// instance or network in errors.
    public func adding(_ rule: FirewallRule, owner: String) throws(JoistError) -> (set: FirewallRuleSet, rule: FirewallRule) {
        try rule.validate()
        guard rules.count < FirewallRule.maxRules else {
            throw .invalidState("\(owner) has \(rules.count) firewall rules, the most it may have; remove one first")
        }
        var rule = rule
        rule.id = (rules.map(\.id).max() ?? 0) + 1
        var set = self
        set.rules.append(rule)
        return (set, rule)
    }

    /// The set without the rule numbered `id`; `notFound` when there is none.
    public func removing(id: Int, owner: String) throws(JoistError) -> FirewallRuleSet {
        guard rules.contains(where: { $0.id == id }) else {
            throw .notFound("\(owner) has no firewall rule \(id); `joist firewall list` shows the rules and their numbers")
        }
        var set = self
        set.rules.removeAll { $0.id == id }
        return set
    }
}
