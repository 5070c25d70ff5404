public import Networking

/// An instance's firewall rules, kept by the network manager with every other rule of the ruleset
/// (`NetworkManager+Firewall.swift`); these check that the instance exists first.
extension InstanceManager {
    /// The rules of instance `name`.
    public func firewall(of name: String, in project: String) async throws -> FirewallRuleSet {
        let key = try supervisor(name, in: project).key
        return await networks.firewall(of: key)
    }

    /// Adds a rule at the end of the instance's list; returns it with its number.
    public func addFirewallRule(_ rule: FirewallRule, to name: String, in project: String) async throws -> FirewallRule {
        try await networks.addFirewallRule(rule, to: try supervisor(name, in: project).key)
    }

    /// Removes the instance's rule numbered `id`.
    public func removeFirewallRule(_ id: Int, from name: String, in project: String) async throws {
        try await networks.removeFirewallRule(id, from: try supervisor(name, in: project).key)
    }
}
