import JoistAPI
import JoistCore
public import Networking
import Store

/// The firewall: per-network and per-instance rules and each network's default policy, rendered into
/// the one ruleset with everything else (`NFTablesRuleset+Firewall.swift` says where each applies).
///
/// A change renders the whole ruleset with the new rules, applies it, and then records them (at
/// `/firewalls/networks/NAME` and `/firewalls/instances/PROJECT/NAME`, apart from the network and
/// instance records); a failed record puts the old ruleset back. Changes run under `changes`, like
/// every other change of the ruleset.
extension NetworkManager {
    /// A network's rules and policy (`allowAll` when it never set one).
    public func firewall(ofNetwork name: String) throws -> FirewallRuleSet {
        _ = try entry(name)
        var set = firewall.networks[name] ?? FirewallRuleSet()
        set.policy = set.policy ?? .allowAll
        return set
    }

    /// Adds a rule to a network's list (evaluated after its instances' own rules); returns it with its id.
    public func addFirewallRule(_ rule: FirewallRule, toNetwork name: String) async throws -> FirewallRule {
        try await changes.withLock { try await self.performAdd(rule, toNetwork: name) }
    }

    /// Removes rule `id` of a network.
    public func removeFirewallRule(_ id: Int, fromNetwork name: String) async throws {
        try await changes.withLock { try await self.performRemove(id, fromNetwork: name) }
    }

    /// Sets a network's default policy. `drop` needs a kernel that tracks bridged connections
    /// (otherwise the answers to the guests' own connections would be dropped too): refused with
    /// `unsupported` on a host without it.
    public func setFirewallPolicy(_ policy: FirewallPolicy, ofNetwork name: String) async throws -> FirewallRuleSet {
        try await changes.withLock { try await self.performSetPolicy(policy, ofNetwork: name) }
    }

    /// An instance's rules.
    public func firewall(of instance: InstanceKey) -> FirewallRuleSet {
        firewall.instances[instance] ?? FirewallRuleSet()
    }

    /// Adds a rule to an instance's list (evaluated before its networks' rules); returns it with its id.
    /// The caller checks that the instance exists.
    public func addFirewallRule(_ rule: FirewallRule, to instance: InstanceKey) async throws -> FirewallRule {
        try await changes.withLock { try await self.performAdd(rule, to: instance) }
    }

    /// Removes rule `id` of an instance.
    public func removeFirewallRule(_ id: Int, from instance: InstanceKey) async throws {
        try await changes.withLock { try await self.performRemove(id, from: instance) }
    }

    /// Records the network NICs of an instance being created (positions in its NIC list, and
    /// networks) and applies the ruleset when their networks' rules now cover them. Refused, changing
    /// nothing, when the ruleset cannot be applied.
    public func registerNICs(_ nics: [(index: Int, network: String)], of instance: InstanceKey) async throws {
        let nics = nics.map { FirewallState.NIC(index: $0.index, network: $0.network) }
        try await changes.withLock { try await self.changeFirewall(key: nil, to: nil) { $0.nics[instance] = nics } }
    }

    private func performAdd(_ rule: FirewallRule, toNetwork name: String) async throws -> FirewallRule {
        _ = try entry(name)
        let (set, added) = try (firewall.networks[name] ?? FirewallRuleSet()).adding(rule, owner: "network \(name)")
        try await changeFirewall(key: FirewallState.key(network: name), to: set) { $0.networks[name] = set }
        logger.info("network \(name): added firewall rule \(added.id): \(added)")
        return added
    }

    private func performRemove(_ id: Int, fromNetwork name: String) async throws {
        _ = try entry(name)
        let set = try (firewall.networks[name] ?? FirewallRuleSet()).removing(id: id, owner: "network \(name)")
        try await changeFirewall(key: FirewallState.key(network: name), to: set) { $0.networks[name] = set }
        logger.info("network \(name): removed firewall rule \(id)")
    }

    private func performSetPolicy(_ policy: FirewallPolicy, ofNetwork name: String) async throws -> FirewallRuleSet {
        _ = try entry(name)
        if policy.dropsAny, try await !driver.tracksBridgedConnections() {
            let dropped = [policy.in == .drop ? "incoming" : nil, policy.out == .drop ? "outgoing" : nil].compactMap { $0 }
            throw JoistError(.unsupported, """
                cannot make network \(name) drop \(dropped.joined(separator: " and ")) traffic by default: this host's kernel does not \
                track bridged connections (CONFIG_NF_CONNTRACK_BRIDGE, module nf_conntrack_bridge), so the answers to the guests' \
                own connections would be dropped too; add drop rules for what must not pass instead
                """)
        }
        var set = firewall.networks[name] ?? FirewallRuleSet()
        set.policy = policy
        try await changeFirewall(key: FirewallState.key(network: name), to: set) { $0.networks[name] = set }
        logger.info("network \(name): default firewall policy \(policy)")
        return set
    }

    private func performAdd(_ rule: FirewallRule, to instance: InstanceKey) async throws -> FirewallRule {
        let (set, added) = try firewall(of: instance).adding(rule, owner: "instance \(instance)")
        try await changeFirewall(key: FirewallState.key(instance: instance), to: set) { $0.instances[instance] = set }
        logger.info("instance \(instance): added firewall rule \(added.id): \(added)")
        return added
    }

    private func performRemove(_ id: Int, from instance: InstanceKey) async throws {
        let set = try firewall(of: instance).removing(id: id, owner: "instance \(instance)")
        try await changeFirewall(key: FirewallState.key(instance: instance), to: set) { $0.instances[instance] = set }
        logger.info("instance \(instance): removed firewall rule \(id)")
    }

    /// Records the network NICs of an instance loaded from the store, without applying anything:
    /// `applyRulesetAfterLoad` applies once every instance is known. Changes after start-up go
    /// through `registerNICs`, which applies.
    public func noteNICs(_ nics: [(index: Int, network: String)], of instance: InstanceKey) {
        firewall.nics[instance] = nics.map { FirewallState.NIC(index: $0.index, network: $0.network) }
    }

    /// Forgets an instance's rules and NICs (it is deleted, or its creation undone) and applies the
    /// ruleset without them. A failure is logged: the instance is gone either way, and the next
    /// change of the ruleset leaves its chains out.
    public func removeFirewall(of instance: InstanceKey) async {
        do {
            try await changes.withLock { try await self.performRemoveFirewall(of: instance) }
        } catch {
            logger.error("cannot remove the firewall rules of instance \(instance): \(error)")
        }
    }

    private func performRemoveFirewall(of instance: InstanceKey) async throws {
        let key = firewall.instances[instance] == nil ? nil : FirewallState.key(instance: instance)
        try await changeFirewall(key: key, to: nil) {
            $0.instances.removeValue(forKey: instance)
            $0.nics.removeValue(forKey: instance)
        }
    }

    /// Applies the ruleset once the instances have noted their NICs and the forwards followed them,
    /// when `load` left it to this step (a deferring load, or firewall rules that need the NICs'
    /// chains, so they never go missing in between).
    public func applyRulesetAfterLoad() async {
        guard awaitingRuleset else { return }
        awaitingRuleset = false
        guard !networks.isEmpty else { return }
        do {
            try await changes.withLock { try await self.applyCurrentRuleset() }
            logger.info("applied the ruleset of \(networks.count) network(s), with the firewall rules of \(firewall.networks.count) network(s) and \(firewall.instances.count) instance(s)")
        } catch {
            logger.error("cannot apply the networks' nftables ruleset: \(error)")
        }
    }

    /// Forgets the rules of a deleted network (its ruleset is applied without it already); a record
    /// that cannot be deleted is logged, and a network created later under the name would find it.
    func forgetFirewall(ofNetwork name: String) async {
        guard firewall.networks.removeValue(forKey: name) != nil else { return }
        do {
            _ = try await store.delete(FirewallState.key(network: name), expect: .any)
        } catch {
            logger.warning("network \(name) is deleted, but its firewall rules' record is not: \(error)")
        }
    }

    private func applyCurrentRuleset() async throws {
        try await driver.applyRuleset(try ruleset(of: layouts))
    }

    /// Loads every firewall record (before the networks are applied).
    func loadFirewall() async throws {
        let (items, _) = try await store.range(prefix: FirewallState.prefix)
        let decoder = APICoding.decoder()
        for item in items {
            do {
                let set = try decoder.decode(FirewallRuleSet.self, from: item.value)
                let parts = item.key.dropFirst(FirewallState.prefix.count).split(separator: "/").map(String.init)
                switch parts.count {
                case 2 where parts[0] == "networks": firewall.networks[parts[1]] = set
                case 3 where parts[0] == "instances": firewall.instances[InstanceKey(project: parts[1], name: parts[2])] = set
                default: logger.error("skipping firewall record with an unknown key \(item.key)")
                }
            } catch {
                logger.error("skipping unreadable firewall record \(item.key): \(error)")
            }
        }
    }

    /// Applies the ruleset with `change` made to the firewall (when it renders differently), then
    /// records `set` under `key` (deletes the record for a nil `set`; records nothing for a nil
    /// `key`), then keeps the change. A failed record re-applies the ruleset before the change.
    private func changeFirewall(key: String?, to set: FirewallRuleSet?, _ change: (inout FirewallState) -> Void) async throws {
        var next = firewall
        change(&next)
        let before = try ruleset(of: layouts)
        let after = try ruleset(of: layouts, firewall: next)
        if after != before { try await driver.applyRuleset(after) }
        do {
            if let key {
                if let set {
                    _ = try await store.put(key, try APICoding.encoder().encode(set), expect: .any)
                } else {
                    _ = try await store.delete(key, expect: .any)
                }
            }
        } catch {
            if after != before { try? await driver.applyRuleset(before) }
            throw error
        }
        firewall = next
    }
}
