import JoistCore

/// Tap devices: one per NIC, persistent (they outlive the QEMU that opens them), joined to the
/// network's bridge.
extension LinuxHostNetwork {
    /// Creates the tap single-queue and without `vnet_hdr`: QEMU's `-netdev tap,ifname=` opens a
    /// persistent tap only when its multi-queue setting matches (QEMU's is off unless `queues=` is
    /// given), and turns `vnet_hdr` on by itself for the descriptor it opens.
    public func ensureTap(_ name: String, bridge: String) async throws {
        let tap = try Self.joistLink(name, prefix: LinkNames.tapPrefix, role: "tap device")
        try InterfaceName.validate(bridge, role: "bridge")
        let existing = try await link(named: tap)
        if let existing, !existing.isTap {
            throw JoistError.alreadyExists(
                "cannot create tap device \(tap): a \(existing.kind ?? "network") link has that name; remove it (ip link del \(tap))")
        }
        if existing == nil {
            try await check(.ip, ["tuntap", "add", "dev", tap, "mode", "tap"], to: "create tap device \(tap)")
        }
        guard existing?.master != bridge || existing?.isUp != true else { return }
        do {
            try await check(.ip, ["link", "set", "dev", tap, "master", bridge, "up"], to: "join tap device \(tap) to bridge \(bridge)")
        } catch {
            // A failed call leaves nothing behind: the tap made here goes again.
            if existing == nil { try? await removeTap(tap) }
            throw error
        }
    }

    public func removeTap(_ name: String) async throws {
        let tap = try Self.joistLink(name, prefix: LinkNames.tapPrefix, role: "tap device")
        guard let existing = try await link(named: tap), existing.isTap else { return }
        try await check(.ip, ["link", "del", "dev", tap], to: "delete tap device \(tap)")
    }
}
