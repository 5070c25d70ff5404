import JoistCore
public import Networking

extension NetworkManager {
    /// Records that `instance` has a NIC on the network, so the network cannot be deleted meanwhile.
    /// Refused for a network that does not exist or is being deleted.
    public func attach(network name: String, instance: InstanceKey) throws {
        _ = try entry(name)
        guard !deleting.contains(name) else {
            throw JoistError.invalidState("network \(name) is being deleted; instance \(instance) cannot join it")
        }
        users[name, default: []].insert(instance)
    }

    /// Records that `instance` no longer has a NIC on the network.
    public func detach(network name: String, instance: InstanceKey) {
        users[name]?.remove(instance)
        if users[name]?.isEmpty == true { users.removeValue(forKey: name) }
    }

    /// The instances with a NIC on the network, sorted.
    public func users(of name: String) -> [InstanceKey] {
        users[name]?.sorted() ?? []
    }

    /// What the network is on the host: the bridge a NIC's tap joins, the addresses it may reserve.
    public func layout(of name: String) throws -> NetworkLayout {
        try entry(name).layout
    }

    /// Whether Joist hosts the network (its bridge, dnsmasq and reservations), which a `bridge`
    /// network's LAN does instead.
    public func isHosted(_ name: String) throws -> Bool {
        try entry(name).layout.kind.isHosted
    }

    /// Removes the tap of NIC `nic`, if it exists: its instance is deleted.
    public func removeTap(for nic: NICIdentity) async throws {
        try await driver.removeTap(LinkNames.tap(for: nic))
    }

    /// Replaces a hosted network's DHCP reservations (one per NIC on it) and has its dnsmasq pick
    /// them up. Refused, changing nothing, when a reservation is invalid or the network is a `bridge`
    /// network (its LAN assigns addresses).
    public func setReservations(network name: String, _ reservations: [DHCPReservation]) async throws {
        try await changes.withLock { try await self.performSetReservations(name, reservations) }
    }

    private func performSetReservations(_ name: String, _ reservations: [DHCPReservation]) async throws {
        let layout = try entry(name).layout
        let config = try DnsmasqConfig.render(layout: layout, reservations: reservations, paths: try dnsmasqPaths(of: name))
        try await driver.ensureDNSMasq(config, layout: layout)
        self.reservations[name] = reservations
        logger.debug("network \(name): \(reservations.count) DHCP reservation(s)")
    }
}
