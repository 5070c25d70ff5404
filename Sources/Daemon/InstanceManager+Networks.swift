import JoistCore
import Networking

extension InstanceManager {
    /// Joins a new instance to the networks its NICs name and gives each network NIC without a MAC a
    /// stable one that no other NIC on its network has, and each NIC on a hosted network without an
    /// address a stable one likewise; returns the spec to store, with the MACs and addresses.
    ///
    /// A network that does not exist (or is being deleted), or a VLAN the host kernel cannot honour,
    /// refuses the instance, and nothing stays joined. From here on the NICs count as in use, so a
    /// concurrent create avoids their MACs.
    func joinNetworks(_ spec: InstanceSpec, as key: InstanceKey) async throws -> InstanceSpec {
        let names = Self.networkNames(of: spec.nics)
        guard !names.isEmpty else { return spec }
        try await networks.requireFeatures(of: spec.nics, instance: key.name)
        var joined: [String] = []
        do {
            for name in names {
                try await networks.attach(network: name, instance: key)
                joined.append(name)
            }
            if let clash = try await namesake(of: key, on: names) {
                throw JoistError.invalidState(
                    "instance \(clash.instance) is already on network \(clash.network): instances on one network need different names, each is its name in the network's DNS")
            }
            try await networks.registerNICs(Self.firewallNICs(of: spec.nics), of: key)
        } catch {
            for name in joined { await networks.detach(network: name, instance: key) }
            throw error
        }
        var spec = spec
        spec.nics = StableMACs.assign(to: spec.nics, project: key.project, instance: key.name, inUse: macsInUse(except: key))
        networkNICs[key] = spec.nics
        do {
            spec.nics = try await assignAddresses(to: spec.nics, as: key)
        } catch {
            networkNICs.removeValue(forKey: key)
            for name in names { await networks.detach(network: name, instance: key) }
            throw error
        }
        return spec
    }

    /// Joins a loaded instance to its networks again; a network that is gone is logged (the
    /// instance then fails to start with a message that names it).
    func rejoinNetworks(_ nics: [NICSpec], as key: InstanceKey) async {
        let names = Self.networkNames(of: nics)
        guard !names.isEmpty else { return }
        networkNICs[key] = nics
        for name in names {
            do {
                try await networks.attach(network: name, instance: key)
            } catch {
                env.logger.error("instance \(key) has a NIC on network \(name), which cannot be joined: \(error)")
            }
        }
    }

    /// Takes the instance off its networks and out of their DHCP reservations.
    func leaveNetworks(_ nics: [NICSpec], of key: InstanceKey) async {
        let names = Self.networkNames(of: nics)
        guard !names.isEmpty else { return }
        networkNICs.removeValue(forKey: key)
        await networks.removeFirewall(of: key)
        for name in names { await networks.detach(network: name, instance: key) }
        await updateReservationsLogging(on: names)
    }

    /// Removes the taps of a deleted instance's network NICs; one that cannot be removed is logged.
    func removeTaps(of nics: [NICSpec], of key: InstanceKey) async {
        for (index, nic) in nics.enumerated() where nic.mode == .network {
            let identity = NICIdentity(project: key.project, instance: key.name, index: nic.id ?? index)
            do {
                try await networks.removeTap(for: identity)
            } catch {
                env.logger.warning("instance \(key) is deleted, but the tap of its NIC eth\(nic.id ?? index) is not: \(error)")
            }
        }
    }

    /// Gives each hosted network among `names` one DHCP reservation per NIC on it: the NIC's MAC, its
    /// fixed address if any, and its instance's name. Refused when they clash (two NICs asking for
    /// one address, say); a `bridge` network has none, its LAN assigns addresses.
    func updateReservations(on names: [String]) async throws {
        for name in names {
            guard try await networks.isHosted(name) else { continue }
            try await networks.setReservations(network: name, reservations(on: name))
        }
    }

    /// `updateReservations` where the change has happened anyway (an instance deleted, a daemon
    /// restarted): a failure is logged.
    func updateReservationsLogging(on names: [String]) async {
        for name in names {
            do {
                try await updateReservations(on: [name])
            } catch {
                env.logger.error("cannot update the DHCP reservations of network \(name): \(error)")
            }
        }
    }

    /// The reservations of network `name`, in the order of the instances.
    func reservations(on name: String) -> [DHCPReservation] {
        networkNICs.keys.sorted().flatMap { key in
            (networkNICs[key] ?? []).compactMap { nic -> DHCPReservation? in
                guard nic.mode == .network, nic.network == name, let mac = nic.mac else { return nil }
                return DHCPReservation(mac: mac, ip: nic.ip, hostname: key.name)
            }
        }
    }

    /// Another instance of the same name (in another project) with a NIC on one of the hosted
    /// networks among `names`, where both would be one DNS name.
    private func namesake(of key: InstanceKey, on names: [String]) async throws -> (instance: InstanceKey, network: String)? {
        let others = networkNICs.filter { $0.key.name == key.name && $0.key != key }.sorted { $0.key < $1.key }
        for name in names {
            guard let other = others.first(where: { Self.networkNames(of: $0.value).contains(name) }) else { continue }
            if try await networks.isHosted(name) { return (other.key, name) }
        }
        return nil
    }

    /// The MACs of every other instance's NICs, by network.
    private func macsInUse(except key: InstanceKey) -> [String: Set<MACAddress>] {
        var inUse: [String: Set<MACAddress>] = [:]
        for (other, nics) in networkNICs where other != key {
            for nic in nics where nic.mode == .network {
                if let network = nic.network, let mac = nic.mac { inUse[network, default: []].insert(mac) }
            }
        }
        return inUse
    }

    /// The network NICs among `nics`, by number (which names their taps), for the firewall.
    static func firewallNICs(of nics: [NICSpec]) -> [(index: Int, network: String)] {
        nics.enumerated().compactMap { index, nic in
            guard nic.mode == .network, let network = nic.network else { return nil }
            return (nic.id ?? index, network)
        }
    }

    /// The networks that `nics` join, each once, sorted.
    static func networkNames(of nics: [NICSpec]) -> [String] {
        Set(nics.filter { $0.mode == .network }.compactMap(\.network)).sorted()
    }
}
