public import JoistCore

/// Fills in the addresses of an instance's NICs on hosted networks, once: when the instance is
/// created, when a NIC is added, and for a NIC loaded from a record made before every NIC had one.
/// The daemon stores the result in the NIC (like its MAC), so the NIC's DHCP reservation always
/// carries an address and a port forward to the instance always knows where to go.
public enum StableAddresses {
    /// `nics` with every NIC on one of `networks` (the hosted networks, by name) that has no address
    /// given `NetworkAddressing.stableAddress(for:avoiding:)` of its identity (`PROJECT/INSTANCE/INDEX`).
    /// NICs with an address, user NICs and NICs on other networks (`bridge` networks, whose LAN
    /// assigns addresses) are returned as they are.
    ///
    /// `inUse` maps a network's name to the addresses other NICs already hold on it; the instance's
    /// own NICs on the same network (given or just assigned) are avoided as well. Throws when a
    /// network's DHCP range has no address left.
    public static func assign(
        to nics: [NICSpec], project: String, instance: String, networks: [String: NetworkAddressing],
        inUse: [String: Set<IPv4Address>] = [:]
    ) throws(JoistError) -> [NICSpec] {
        var taken = inUse
        for nic in nics where nic.mode == .network {
            if let network = nic.network, let ip = nic.ip { taken[network, default: []].insert(ip) }
        }
        var assigned = nics
        for (index, nic) in nics.enumerated() {
            guard nic.mode == .network, nic.ip == nil, let network = nic.network, let addressing = networks[network] else { continue }
            let identity = NICIdentity(project: project, instance: instance, index: nic.id ?? index)
            guard let ip = addressing.stableAddress(for: identity, avoiding: taken[network, default: []]) else {
                throw .invalidState(
                    "network \(network) has no free address left in its DHCP range \(addressing.dhcpRange.lowerBound)-\(addressing.dhcpRange.upperBound) for instance \(instance); remove an instance from it or use a network with a larger subnet")
            }
            taken[network, default: []].insert(ip)
            assigned[index].ip = ip
        }
        return assigned
    }
}

extension NetworkAddressing {
    /// A NIC's default address on this network: the address at the identity's stable hash modulo the
    /// size of the DHCP range; when `taken` holds it, the next one up that is free, wrapping around,
    /// so the answer is still a function of its inputs. Nil when every address of the range is taken.
    /// The gateway, the network and the broadcast address lie outside the range, so are never given.
    public func stableAddress(for nic: NICIdentity, avoiding taken: Set<IPv4Address>) -> IPv4Address? {
        let count = dhcpRangeCount
        let start = StableHash.fnv1a64(nic.description) % count
        var step: UInt64 = 0
        while step < count {
            let address = IPv4Address(dhcpRange.lowerBound.value + UInt32((start + step) % count))
            if !taken.contains(address) { return address }
            step += 1
        }
        return nil
    }
}
