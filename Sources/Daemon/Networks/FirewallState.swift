import Networking

/// The firewall as the network manager keeps it: the rules of every network and instance that has
/// some, and the NICs of every instance on a network (each network's rules apply to all of its
/// NICs, so the manager must know them whether or not their instance has rules of its own).
struct FirewallState: Sendable, Equatable {
    /// One network NIC of an instance: its position in the instance's NICs (which names its tap) and
    /// its network.
    struct NIC: Sendable, Equatable {
        var index: Int
        var network: String
    }

    var networks: [String: FirewallRuleSet] = [:]
    var instances: [InstanceKey: FirewallRuleSet] = [:]
    var nics: [InstanceKey: [NIC]] = [:]

    /// Whether no network or instance has a rule or a policy: the firewall table is then empty, so a
    /// ruleset applied before the NICs are known is already the right one.
    var hasNoRules: Bool { networks.values.allSatisfy(\.isEmpty) && instances.values.allSatisfy(\.isEmpty) }

    /// The renderer's input.
    var input: NFTablesRuleset.Firewall {
        let nics = self.nics.keys.sorted().flatMap { key in
            (self.nics[key] ?? []).map { nic in
                NFTablesRuleset.Firewall.NIC(
                    identity: NICIdentity(project: key.project, instance: key.name, index: nic.index), network: nic.network,
                    rules: instances[key]?.rules ?? [])
            }
        }
        return NFTablesRuleset.Firewall(networks: networks, nics: nics)
    }

    /// The store key of a network's rules. Not under `/networks/`, whose every record is a network.
    static func key(network: String) -> String { prefix + "networks/" + network }

    /// The store key of an instance's rules.
    static func key(instance: InstanceKey) -> String { prefix + "instances/\(instance.project)/\(instance.name)" }

    static let prefix = "/firewalls/"
}
