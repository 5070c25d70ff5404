public import JoistAPI
import JoistCore
import Networking

extension InstanceManager {
    /// Adds a NIC (`network=NAME[,mac=…][,ip=…]` or `user[,…]`, as `--nic` takes it) to an instance,
    /// hot-plugging it into the guest when it runs. A network NIC joins its network as at create: a
    /// stable MAC unless one is given, and a DHCP reservation with the instance's name.
    public func addNIC(_ text: String, to name: String, in project: String) async throws -> Instance {
        let nic = try NICSpec(parsing: text)
        let supervisor = try supervisor(name, in: project)
        try await networks.requireFeatures(of: [nic], instance: name)
        let key = supervisor.key
        _ = try await supervisor.addNIC(nic) { spec, nic in try await self.joinNetwork(nic, of: spec, as: key) }
        return await supervisor.snapshot()
    }

    /// Removes the NIC named `reference` (`ethN` or its MAC) from an instance, unplugging it from the
    /// guest when it runs; its network loses the reservation, and the instance leaves the network
    /// when no other NIC of it is there.
    public func removeNIC(_ reference: String, from name: String, in project: String) async throws -> Instance {
        let supervisor = try supervisor(name, in: project)
        let key = supervisor.key
        _ = try await supervisor.removeNIC(reference) { removed, remaining in
            await self.leaveNetwork(of: removed, remaining: remaining, as: key)
        }
        return await supervisor.snapshot()
    }

    /// Joins `nic`, about to be added to an instance configured as `spec`, to its network through
    /// `joinNetworks` (as a create would: the network must exist, no namesake may be on it, a MAC is
    /// assigned), then updates the network's reservations. Returns the NIC as `joinNetworks` left
    /// it, and how to restore what was before.
    func joinNetwork(_ nic: NICSpec, of spec: InstanceSpec, as key: InstanceKey) async throws -> (
        nic: NICSpec, undo: @Sendable () async -> Void
    ) {
        guard nic.mode == .network, let network = nic.network else { return (nic, {}) }
        let before = spec.nics
        let undo: @Sendable () async -> Void = { await self.restoreNetworks(before, of: key, touched: [network]) }
        var grown = spec
        grown.nics.append(nic)
        do {
            let joined = try await joinNetworks(grown, as: key)
            try await updateReservations(on: [network])
            return (joined.nics.last ?? nic, undo)
        } catch {
            await undo()
            throw error
        }
    }

    /// Puts the instance's networks back as they were with `nics`: its NICs, its memberships and the
    /// reservations of `touched` (those that exist) and its own networks.
    func restoreNetworks(_ nics: [NICSpec], of key: InstanceKey, touched: [String]) async {
        let names = Self.networkNames(of: nics)
        var existing: [String] = []
        for name in Set(touched) where (try? await networks.layout(of: name)) != nil { existing.append(name) }
        for name in Set(existing).subtracting(names) { await networks.detach(network: name, instance: key) }
        if names.isEmpty {
            networkNICs.removeValue(forKey: key)
        } else {
            await rejoinNetworks(nics, as: key)
        }
        // The firewall's chains follow the NICs: one for a NIC now gone would stay until the next change.
        do {
            try await networks.registerNICs(Self.firewallNICs(of: nics), of: key)
        } catch {
            env.logger.error("instance \(key): cannot apply the firewall with its NICs as they were: \(error)")
        }
        await updateReservationsLogging(on: Array(Set(existing).union(names)).sorted())
    }

    /// After `removed` left an instance that keeps `remaining`: its reservation goes, and the
    /// instance leaves the network unless another of its NICs is on it.
    func leaveNetwork(of removed: NICSpec, remaining: [NICSpec], as key: InstanceKey) async {
        guard removed.mode == .network, let network = removed.network else {
            if networkNICs[key] != nil { networkNICs[key] = remaining }
            return
        }
        await restoreNetworks(remaining, of: key, touched: [network])
        // Its port forwards and firewall chains would otherwise point at an address and a tap that
        // another NIC may get next.
        if !remaining.contains(where: { $0.network == network }) { await networks.removeForwards(to: key, on: network) }
        do {
            try await networks.registerNICs(Self.firewallNICs(of: remaining), of: key)
        } catch {
            env.logger.error("instance \(key): cannot apply the firewall without NIC \(removed.name ?? "?"): \(error)")
        }
    }
}
