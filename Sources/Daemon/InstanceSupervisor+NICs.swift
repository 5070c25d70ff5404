import Foundation
public import JoistCore
import Networking
import QEMUDriver

extension InstanceSupervisor {
    /// What the instance layer does when a NIC joins, under the instance's operation lock: given the
    /// configuration and the numbered NIC, joins its network, gives it its MAC and reservation, and
    /// returns it with how to take all that back if a later step fails.
    public typealias NICJoin = @Sendable (_ spec: InstanceSpec, _ nic: NICSpec) async throws -> (
        nic: NICSpec, undo: @Sendable () async -> Void
    )
    /// What the instance layer does once a NIC has left (the NIC, and the NICs that remain), under
    /// the instance's operation lock: its network and reservation.
    public typealias NICLeave = @Sendable (_ removed: NICSpec, _ remaining: [NICSpec]) async -> Void

    /// Adds `nic` to the configuration as the lowest free `ethN`, plugging it into the guest when it
    /// runs (its tap made first); a stopped instance has it from its next start. Returns the NIC as
    /// stored. A failing step undoes the ones before it, `join`'s included.
    public func addNIC(_ nic: NICSpec, join: NICJoin) async throws -> NICSpec {
        try await operations.withLock { try await self.performAddNIC(nic, join: join) }
    }

    private func performAddNIC(_ requested: NICSpec, join: NICJoin) async throws -> NICSpec {
        try ensureExists()
        let hotplugger = try runningNICHotplugger(for: "add a NIC to")
        var numbered = requested
        numbered.id = nil
        numbered = NICSpec.numbered(record.spec.nics + [numbered]).last ?? numbered
        // The device count and the MACs are checked before anything joins a network.
        var updated = record.spec
        updated.nics.append(numbered)
        try updated.validate(host: env.host, fileExists: { FileManager.default.fileExists(atPath: $0) })
        let (nic, leave) = try await join(record.spec, numbered)
        updated.nics[updated.nics.count - 1] = nic
        var undo = Reverter(logger: logger)
        undo.add("take NIC \(nic.name ?? "") off its network") { await leave() }
        do {
            try updated.validate(host: env.host, fileExists: { FileManager.default.fileExists(atPath: $0) })
            if let hotplugger {
                let identity = identity(of: nic)
                if nic.mode == .network {
                    try await networks.ensureTap(for: identity, nic: nic)
                    undo.add("remove the tap of NIC \(nic.name ?? "")") { try await self.networks.removeTap(for: identity) }
                }
                let attached = try AttachedNIC(resolving: nic, identity: identity, vhost: env.vhostNet)
                try await hotplugger.attach(attached)
                undo.add("unplug \(attached)") { try await hotplugger.detach(attached) }
            }
            let previous = record.spec
            record.spec = updated
            do {
                try await persist()
            } catch {
                record.spec = previous
                throw error
            }
        } catch {
            await undo.revert()
            throw error
        }
        logger.info("added NIC \(nic.name ?? "") (\(nic))\(hotplugger == nil ? "" : " to the running guest")")
        publishUpdated()
        return nic
    }

    /// Takes the NIC named `reference` (`ethN`, or its MAC address) out of the configuration,
    /// unplugging it from the guest first when it runs (the guest must release it), then removes its
    /// tap and calls `leave`. Returns the NIC removed.
    public func removeNIC(_ reference: String, leave: NICLeave) async throws -> NICSpec {
        try await operations.withLock { try await self.performRemoveNIC(reference, leave: leave) }
    }

    private func performRemoveNIC(_ reference: String, leave: NICLeave) async throws -> NICSpec {
        try ensureExists()
        let index = try nicIndex(reference)
        let nic = record.spec.nics[index]
        let label = nic.name ?? reference
        guard lifecycle.state != .paused else {
            throw JoistError.invalidState(
                "cannot remove NIC \(label) from instance \(name) while it is paused: the guest must release the NIC; resume it first")
        }
        let identity = identity(of: nic)
        if let hotplugger = try runningNICHotplugger(for: "remove NIC \(label) from") {
            try await hotplugger.detach(try AttachedNIC(resolving: nic, identity: identity, vhost: env.vhostNet))
        }
        record.spec.nics.remove(at: index)
        do {
            try await persist()
        } catch {
            record.spec.nics.insert(nic, at: index)
            throw error
        }
        if nic.mode == .network {
            do {
                try await networks.removeTap(for: identity)
            } catch {
                logger.warning("NIC \(label) is removed, but its tap is not: \(error)")
            }
        }
        await leave(nic, record.spec.nics)
        logger.info("removed NIC \(label) (\(nic))")
        publishUpdated()
        return nic
    }

    /// The position of the NIC named `reference`: `ethN`, or the MAC address it carries.
    private func nicIndex(_ reference: String) throws -> Int {
        let nics = record.spec.nics
        let found: Int?
        if let id = NICSpec.id(named: reference) {
            found = nics.firstIndex { $0.id == id }
        } else if let mac = try? MACAddress(parsing: reference) {
            found = nics.firstIndex { $0.mac == mac }
        } else {
            throw JoistError.invalidArgument("'\(reference)' names no NIC: give its name (eth0, eth1, …) or its MAC address")
        }
        guard let found else {
            let names = nics.compactMap(\.name)
            throw JoistError.notFound(
                "instance \(name) has no NIC \(reference)" + (names.isEmpty ? "" : " (its NICs: \(names.joined(separator: ", ")))"))
        }
        return found
    }

    /// Which NIC of which instance `nic` is: what its tap and QEMU ids derive from.
    private func identity(of nic: NICSpec) -> NICIdentity {
        NICIdentity(project: key.project, instance: name, index: nic.id ?? 0)
    }

    /// The NIC hot-plugger of a running or paused guest; nil for a stopped one.
    private func runningNICHotplugger(for action: String) throws -> NICHotplugger? {
        try runningQMP(for: action).map { NICHotplugger(qmp: $0, machine: record.spec.machine) }
    }
}
