public import JoistCore

/// Fills in the MAC addresses of an instance's network NICs, once: when the instance is created and
/// when a NIC is added. The daemon stores the result, so a NIC's MAC (and with it its DHCP
/// reservation and the name its guest gives the interface) never changes afterwards, even if the
/// defaults would come out differently later.
public enum StableMACs {
    /// `nics` with every network NIC that has no MAC given `MACAddress.stable(for:avoiding:)` of its
    /// identity (`PROJECT/INSTANCE/ID`, the NIC's number, or its position when it has none); NICs that have one, and user NICs, are returned as they are.
    ///
    /// `inUse` maps a network's name to the MACs other NICs already have on it; the instance's own
    /// NICs on the same network (given or just assigned) are avoided as well.
    public static func assign(
        to nics: [NICSpec], project: String, instance: String, inUse: [String: Set<MACAddress>] = [:]
    ) -> [NICSpec] {
        var taken = inUse
        for nic in nics where nic.mode == .network {
            if let network = nic.network, let mac = nic.mac { taken[network, default: []].insert(mac) }
        }
        return nics.enumerated().map { index, nic in
            guard nic.mode == .network, nic.mac == nil, let network = nic.network else { return nic }
            var nic = nic
            let identity = NICIdentity(project: project, instance: instance, index: nic.id ?? index)
            let mac = MACAddress.stable(for: identity, avoiding: taken[network, default: []])
            taken[network, default: []].insert(mac)
            nic.mac = mac
            return nic
        }
    }
}
