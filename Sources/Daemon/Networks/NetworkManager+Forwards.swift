import Activity
import Foundation
import JoistAPI
public import JoistCore
public import Networking
import Store

/// Port forwards: data of their network, kept in a record of their own beside it,
/// `/network-forwards/NAME` (every forward of the network, one document), and rendered into the
/// one nftables ruleset with the network's other rules.
///
/// A record of their own, not a field of `NetworkConfig`: the config is what a user creates a
/// network with and what every caller sees in `NetworkInfo`, while forwards are added and removed
/// all the time and name instances of projects that other callers may not see. One document per
/// network makes each change one compare-and-swap write.
extension NetworkManager {
    static let forwardsPrefix = "/network-forwards/"
    static func forwardsKey(_ name: String) -> String { forwardsPrefix + name }

    /// How the forwards of one network are stored.
    struct ForwardsRecord: Codable {
        var forwards: [NetworkForward]
    }

    /// The forwards of network `name` whose target is in `project` (all when nil), sorted.
    public func forwards(on name: String, in project: String?) throws -> [NetworkForward] {
        _ = try entry(name)
        return (forwards[name] ?? []).filter { project == nil || $0.project == project }.sorted()
    }

    /// Adds a forward to network `name` and applies the ruleset with it (one transaction), then
    /// records it. Refused, changing nothing, when the target instance has no NIC on the network,
    /// the network is not `nat`, or another forward (on any network) takes the same connections.
    public func addForward(_ forward: NetworkForward, on name: String) async throws {
        try await changes.withLock { try await self.performAddForward(forward, on: name) }
    }

    private func performAddForward(_ forward: NetworkForward, on name: String) async throws {
        _ = try entry(name)
        let target = InstanceKey(project: forward.project, name: forward.instance)
        guard !deleting.contains(name) else { throw JoistError.invalidState("network \(name) is being deleted") }
        // The instance layer detaches a deleted instance before removing its forwards.
        guard users[name]?.contains(target) == true else {
            throw JoistError.invalidArgument("instance \(target) has no NIC on network \(name)")
        }
        for (network, existing) in forwards.sorted(by: { $0.key < $1.key }) {
            if let clash = existing.first(where: { $0.portForward.clashes(with: forward.portForward) }) {
                throw JoistError.alreadyExists(
                    "port forward \(forward.id) clashes with forward \(clash.id) on network \(network): both take \(forward.proto.rawValue) port \(forward.listenPort)\(forward.listenAddress == clash.listenAddress ? "" : " on some address")")
            }
        }
        var changed = forwards
        changed[name, default: []].append(forward)
        try await replaceForwards(of: name, with: changed)
        logger.info("network \(name): added port forward \(forward)")
        publishForward("network-forward-created", forward, on: name)
    }

    /// Removes the forward `id` of network `name` whose target is in `project` (any when nil) and
    /// applies the ruleset without it. `notFound` when there is none the caller may see.
    public func removeForward(_ id: NetworkForward.ID, on name: String, in project: String?) async throws {
        try await changes.withLock { try await self.performRemoveForward(id, on: name, in: project) }
    }

    private func performRemoveForward(_ id: NetworkForward.ID, on name: String, in project: String?) async throws {
        _ = try entry(name)
        guard let forward = forwards[name]?.first(where: { $0.id == id && (project == nil || $0.project == project) }) else {
            throw JoistError.notFound("network \(name) has no port forward \(id)" + (project.map { " to an instance of project \($0)" } ?? ""))
        }
        var changed = forwards
        changed[name]?.removeAll { $0.id == id }
        try await replaceForwards(of: name, with: changed)
        logger.info("network \(name): removed port forward \(forward)")
        publishForward("network-forward-deleted", forward, on: name)
    }

    /// Removes every forward to `instance` (on network `name` only, when given): the instance is
    /// deleted, or its NIC on the network removed. The instance is gone whatever happens here, so a
    /// failure is logged; the next daemon start drops what is left (`pruneForwards`).
    public func removeForwards(to instance: InstanceKey, on name: String? = nil) async {
        _ = try? await changes.withLock { await self.performRemoveForwards(to: instance, on: name) }
    }

    private func performRemoveForwards(to instance: InstanceKey, on name: String?) async {
        let affected = forwards.keys.sorted().filter { network in
            (name == nil || network == name) && forwards[network]?.contains(where: { $0.targets(instance) }) == true
        }
        for network in affected {
            let gone = forwards[network]?.filter { $0.targets(instance) } ?? []
            var changed = forwards
            changed[network]?.removeAll { $0.targets(instance) }
            do {
                try await replaceForwards(of: network, with: changed)
            } catch {
                logger.error("network \(network): cannot remove the port forwards to instance \(instance): \(error)")
                continue
            }
            for forward in gone {
                logger.info("network \(network): removed port forward \(forward) with its instance")
                publishForward("network-forward-deleted", forward, on: network)
            }
        }
    }

    /// Brings the forwards in line with the instances loaded after the networks: a forward whose
    /// target has no NIC on its network any more (the daemon stopped between deleting the instance
    /// and its forwards) is dropped, one whose target's address differs follows it. When the ruleset
    /// waits for `applyRulesetAfterLoad`, only the records change; otherwise the ruleset is applied
    /// when something changed.
    /// `addresses` maps each network to the address each instance's NIC holds on it.
    public func pruneForwards(addresses: [String: [InstanceKey: IPv4Address]]) async {
        _ = try? await changes.withLock { await self.performPruneForwards(addresses: addresses) }
    }

    private func performPruneForwards(addresses: [String: [InstanceKey: IPv4Address]]) async {
        for network in forwards.keys.sorted() {
            let list = forwards[network] ?? []
            let kept: [NetworkForward] = list.compactMap { forward in
                let key = InstanceKey(project: forward.project, name: forward.instance)
                guard let address = addresses[network]?[key] else {
                    logger.warning("network \(network): dropping port forward \(forward): its instance has no NIC on the network")
                    return nil
                }
                var forward = forward
                forward.targetAddress = address
                return forward
            }
            guard kept != list else { continue }
            var changed = forwards
            changed[network] = kept
            do {
                if awaitingRuleset {
                    try await writeForwards(of: network, kept)
                    forwards[network] = kept.isEmpty ? nil : kept
                    continue
                }
                try await replaceForwards(of: network, with: changed)
            } catch {
                logger.error("network \(network): cannot update its port forwards: \(error)")
            }
        }
    }

    /// Applies the ruleset with `changed` as every network's forwards, then writes network `name`'s
    /// record; if the write fails, the ruleset before is applied again. The caller holds `changes`.
    private func replaceForwards(of name: String, with changed: [String: [NetworkForward]]) async throws {
        let before = try ruleset(of: layouts)
        let after = try ruleset(of: layouts, forwards: changed)
        try await driver.applyRuleset(after)
        do {
            try await writeForwards(of: name, changed[name] ?? [])
        } catch {
            do {
                try await driver.applyRuleset(before)
            } catch let undo {
                logger.error("cannot apply the ruleset again without the change to network \(name)'s forwards: \(undo)")
            }
            throw error
        }
        forwards[name] = changed[name]?.isEmpty == false ? changed[name] : nil
    }

    /// Writes (or, for none, deletes) network `name`'s forwards record, compare-and-swap.
    private func writeForwards(of name: String, _ list: [NetworkForward]) async throws {
        let key = Self.forwardsKey(name)
        let expected = Expectation.modRevision(forwardRevisions[name] ?? 0)
        if list.isEmpty {
            _ = try await store.delete(key, expect: expected)
            forwardRevisions.removeValue(forKey: name)
        } else {
            let data = try APICoding.encoder().encode(ForwardsRecord(forwards: list.sorted()))
            forwardRevisions[name] = try await store.put(key, data, expect: expected)
        }
    }

    /// Reads every network's forwards record; an unreadable one is logged and skipped.
    func loadForwards() async throws {
        let (items, _) = try await store.range(prefix: Self.forwardsPrefix)
        let decoder = APICoding.decoder()
        for item in items {
            let name = String(item.key.dropFirst(Self.forwardsPrefix.count))
            do {
                forwards[name] = try decoder.decode(ForwardsRecord.self, from: item.value).forwards
                forwardRevisions[name] = item.modRevision
            } catch {
                logger.error("skipping unreadable port forwards record \(item.key): \(error)")
            }
        }
    }

    /// The ruleset of the loaded networks with their forwards; should the forwards not render (a
    /// record edited by hand, say), without them, so the networks themselves still work.
    func rulesetAtLoad(of layouts: [NetworkLayout]) throws(JoistError) -> NFTablesRuleset {
        do {
            return try ruleset(of: layouts)
        } catch {
            logger.error("cannot apply the networks' port forwards, applying the networks without them: \(error)")
            return try ruleset(of: layouts, forwards: [:])
        }
    }

    /// Forgets a deleted network's forwards and their record (none are left while instances are
    /// attached; this clears what an interrupted change may have left).
    func dropForwards(of name: String) async {
        forwards.removeValue(forKey: name)
        guard forwardRevisions.removeValue(forKey: name) != nil else { return }
        do {
            _ = try await store.delete(Self.forwardsKey(name), expect: .any)
        } catch {
            logger.warning("network \(name) is deleted, but its port forwards record is not: \(error)")
        }
    }

    /// Forward events go to the target instance's project.
    private func publishForward(_ action: String, _ forward: NetworkForward, on name: String) {
        let event = LifecycleEvent(action: action, source: "/1.0/networks/\(name)/forwards/\(forward.id)", name: forward.id.description)
        events.publish(Event(type: .lifecycle, timestamp: Date(), project: forward.project, lifecycle: event))
    }
}

extension NetworkForward {
    /// Whether the forward goes to `instance`.
    func targets(_ instance: InstanceKey) -> Bool { project == instance.project && self.instance == instance.name }
}
