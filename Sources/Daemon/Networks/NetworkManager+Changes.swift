import Foundation
public import JoistAPI
import JoistCore
import Networking
import Store

extension NetworkManager {
    /// Creates a network: checks it, settles its subnet, renders its files, then brings it up on the
    /// host (bridge, the ruleset of every network, dnsmasq) and records it. A failing step undoes the
    /// ones before it, so a refused network leaves nothing on the host or in the store.
    public func create(_ request: NetworkCreate) async throws -> NetworkInfo {
        let requested = request.config
        try requested.validate()
        return try await changes.withLock { try await self.performCreate(requested) }
    }

    private func performCreate(_ requested: NetworkConfig) async throws -> NetworkInfo {
        let name = requested.name
        guard networks[name] == nil else { throw JoistError.alreadyExists("network \(name) already exists") }
        try await requireFeatures(of: requested)
        let config = try await settleSubnet(requested)
        let layout = try NetworkLayout(config)
        let uplink = try VLANPlan.uplink(of: layout)
        // Everything is rendered (and so checked against every other network) before the host changes.
        let before = try ruleset(of: layouts)
        let after = try ruleset(of: layouts + [layout])
        let dnsmasq = layout.kind.isHosted ? try dnsmasqConfig(of: layout) : nil
        var undo = Reverter(logger: logger)
        do {
            try await driver.ensureBridge(layout)
            if layout.ownsBridge { undo.add("remove bridge \(layout.bridge)") { try await self.driver.removeBridge(layout) } }
            try await apply(uplink, for: "network \(name)")
            if !uplink.isEmpty {
                undo.add("remove the VLAN interface of network \(name)") {
                    try await self.driver.applyVLANPlan(try VLANPlan.removeUplink(of: layout))
                }
            }
            try await driver.applyRuleset(after)
            undo.add("apply the ruleset without network \(name)") { try await self.driver.applyRuleset(before) }
            if let dnsmasq {
                try makeFolder(of: name)
                undo.add("remove \(folder(of: name))") { try await self.removeFolder(of: name) }
                try await driver.ensureDNSMasq(dnsmasq, layout: layout)
                undo.add("stop dnsmasq of network \(name)") { try await self.driver.stopDNSMasq(dnsmasq.paths) }
            }
            let revision = try await store.put(Self.key(name), try APICoding.encoder().encode(config), expect: .absent)
            let entry = Entry(config: config, layout: layout, revision: revision)
            networks[name] = entry
            logger.info("created network \(name) (\(config.kind.rawValue)) on \(layout.bridge)\(config.subnet.map { ", \($0)" } ?? "")")
            publish("network-created", name)
            return info(entry, visibleTo: nil)
        } catch {
            await undo.revert()
            if case StoreError.conflict = error { throw JoistError.alreadyExists("network \(name) already exists") }
            throw error
        }
    }

    /// The config with its subnet: a hosted network without one gets a free `10.X.Y.0/24`; a given one
    /// must overlap no other network and no route of the host.
    private func settleSubnet(_ config: NetworkConfig) async throws -> NetworkConfig {
        guard config.kind.isHosted else { return config }
        let others = networks.values.compactMap { entry in entry.config.subnet.map { (name: entry.config.name, subnet: $0) } }
        if let subnet = config.subnet, let other = others.sorted(by: { $0.name < $1.name }).first(where: { $0.subnet.overlaps(subnet) }) {
            throw JoistError.invalidState("subnet \(subnet) of network \(config.name) overlaps network \(other.name) (\(other.subnet))")
        }
        let routes = try await driver.routedSubnets()
        return try SubnetChooser(taken: routes + others.map(\.subnet)).complete(config)
    }

    /// Deletes a network no instance uses: stops its dnsmasq, removes its bridge, applies the ruleset
    /// without it, and forgets it. A failing step restores the ones before it, so the network keeps
    /// working and can be deleted again.
    public func delete(_ name: String) async throws {
        try await changes.withLock { try await self.performDelete(name) }
    }

    private func performDelete(_ name: String) async throws {
        let entry = try entry(name)
        let using = users[name]?.sorted() ?? []
        guard using.isEmpty else {
            let names = using.prefix(5).map(\.description).joined(separator: ", ")
            throw JoistError.invalidState(
                "network \(name) is used by \(using.count) instance(s) (\(names)\(using.count > 5 ? ", …" : "")); remove their NICs first")
        }
        // From here on no NIC may join it, while the steps below suspend.
        deleting.insert(name)
        defer { deleting.remove(name) }
        let layout = entry.layout
        let before = try ruleset(of: layouts)
        let after = try ruleset(of: layouts.filter { $0.name != name })
        var undo = Reverter(logger: logger)
        do {
            if layout.kind.isHosted {
                let dnsmasq = try dnsmasqConfig(of: layout)
                try await driver.stopDNSMasq(dnsmasq.paths)
                undo.add("restart dnsmasq of network \(name)") { try await self.driver.ensureDNSMasq(dnsmasq, layout: layout) }
            }
            if layout.uplink != nil {
                try await driver.applyVLANPlan(try VLANPlan.removeUplink(of: layout))
                undo.add("make the VLAN interface of network \(name) again") {
                    try await self.driver.applyVLANPlan(try VLANPlan.uplink(of: layout))
                }
            }
            if layout.ownsBridge {
                try await driver.removeBridge(layout)
                undo.add("make bridge \(layout.bridge) again") { try await self.driver.ensureBridge(layout) }
            }
            try await driver.applyRuleset(after)
            undo.add("apply the ruleset with network \(name)") { try await self.driver.applyRuleset(before) }
            try await store.delete(Self.key(name), expect: .modRevision(entry.revision))
        } catch {
            await undo.revert()
            throw error
        }
        networks.removeValue(forKey: name)
        reservations.removeValue(forKey: name)
        await forgetFirewall(ofNetwork: name)
        await dropForwards(of: name)
        do {
            try removeFolder(of: name)
        } catch {
            logger.warning("network \(name) is deleted, but its folder \(folder(of: name)) is not: \(error)")
        }
        logger.info("deleted network \(name)")
        publish("network-deleted", name)
    }

    /// Makes the network's state folder, for its dnsmasq's files.
    func makeFolder(of name: String) throws {
        try FileManager.default.createDirectory(atPath: folder(of: name), withIntermediateDirectories: true)
    }

    /// Removes the network's state folder, if there is one.
    func removeFolder(of name: String) throws {
        let path = folder(of: name)
        guard FileManager.default.fileExists(atPath: path) else { return }
        try FileManager.default.removeItem(atPath: path)
    }
}
