public import JoistAPI
import JoistCore
public import Networking

/// Port forwards to instances, and the fixed addresses they rely on.
extension InstanceManager {
    /// Forwards a host port to an instance of `project` with a NIC on `network`, at the address that
    /// NIC holds there. The network manager checks the rest (a `nat` network, no clash) and applies it.
    public func addForward(_ request: NetworkForwardCreate, on network: String, in project: String) async throws -> NetworkForward {
        try ResourceName.validate(network, kind: "network")
        try ResourceName.validate(request.instance, kind: "instance")
        _ = try await networks.layout(of: network)
        let key = InstanceKey(project: project, name: request.instance)
        let exists = (try? supervisor(request.instance, in: project)) != nil
        let forward = try NetworkForward.resolve(
            network: network, proto: request.proto ?? .tcp, listenAddress: request.listenAddress, listenPort: request.listenPort,
            project: project, instance: request.instance, targetPort: request.targetPort,
            nics: exists ? networkNICs[key] ?? [] : nil)
        try await networks.addForward(forward, on: network)
        return forward
    }

    /// `nics` with an address for each NIC on a hosted network that has none (`StableAddresses`),
    /// avoiding every other instance's addresses, recorded at once as the instance's NICs so a
    /// concurrent create avoids them too.
    func assignAddresses(to nics: [NICSpec], as key: InstanceKey) async throws -> [NICSpec] {
        let addressing = try await hostedAddressing(of: Self.networkNames(of: nics))
        // No suspension from here on: what is in use and what is taken stay one step.
        let assigned = try StableAddresses.assign(
            to: nics, project: key.project, instance: key.name, networks: addressing, inUse: addressesInUse(except: key))
        networkNICs[key] = assigned
        return assigned
    }

    /// Gives the NICs of loaded instances made before every NIC on a hosted network had an address
    /// one, and stores it in their records. Their guests pick it up at their next DHCP renewal.
    func assignMissingAddresses() async {
        for key in networkNICs.keys.sorted() {
            guard let nics = networkNICs[key], let supervisor = try? supervisor(key.name, in: key.project) else { continue }
            do {
                let assigned = try await assignAddresses(to: nics, as: key)
                guard assigned != nics else { continue }
                try await supervisor.storeNICs(assigned)
                env.logger.info("instance \(key): gave its network NICs fixed addresses \(assigned.compactMap(\.ip).map(\.description))")
            } catch {
                env.logger.error("instance \(key): cannot give its network NICs fixed addresses: \(error)")
            }
        }
    }

    /// The address each instance's NIC holds on each network, for the network manager's forwards.
    func nicAddresses() -> [String: [InstanceKey: IPv4Address]] {
        var addresses: [String: [InstanceKey: IPv4Address]] = [:]
        for (key, nics) in networkNICs {
            for nic in nics where nic.mode == .network {
                if let network = nic.network, let ip = nic.ip { addresses[network, default: [:]][key] = ip }
            }
        }
        return addresses
    }

    /// The addressing of each hosted network among `names`.
    private func hostedAddressing(of names: [String]) async throws -> [String: NetworkAddressing] {
        var addressing: [String: NetworkAddressing] = [:]
        for name in names {
            if let hosted = try await networks.layout(of: name).addressing { addressing[name] = hosted }
        }
        return addressing
    }

    /// The addresses of every other instance's NICs, by network.
    private func addressesInUse(except key: InstanceKey) -> [String: Set<IPv4Address>] {
        var inUse: [String: Set<IPv4Address>] = [:]
        for (other, nics) in networkNICs where other != key {
            for nic in nics where nic.mode == .network {
                if let network = nic.network, let ip = nic.ip { inUse[network, default: []].insert(ip) }
            }
        }
        return inUse
    }
}
