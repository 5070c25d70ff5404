public import JoistCore

/// The QMP steps that plug a NIC into a running guest and unplug it, as data; `NICHotplugger` runs
/// them. The JSON is the argv builder's (`NICLayout`), so a hot-plugged NIC looks exactly as it
/// would had the guest booted with it, and has the same ids.
public enum NICHotplugPlan {
    /// The root port `nic` goes behind: the first of the running guest's empty ones (in order;
    /// disks take them too, see `DiskHotplugPlan.freeRootPorts(in:)`).
    ///
    /// - Throws: `unsupported` on microvm, whose virtio-mmio devices cannot be hot-plugged, and when
    ///   no root port is free.
    public static func rootPort(for nic: AttachedNIC, machine: MachineType, freeRootPorts: [String]) throws(JoistError) -> String {
        switch machine {
        case .microvm:
            throw JoistError(.unsupported, "a microvm guest cannot take NICs while it runs: add the NIC while the instance is stopped")
        case .q35:
            guard let port = freeRootPorts.first else {
                throw JoistError(
                    .unsupported,
                    "no free hot-plug slot is left in this guest (it has \(InstanceSpec.spareHotplugPorts) beyond its boot disks): restart the instance to add the NIC")
            }
            return port
        }
    }

    /// Plugs `nic` in: its backend (for a tap NIC, QEMU opens the tap, which must exist by then),
    /// then the guest device behind `rootPort`.
    public static func attach(_ nic: AttachedNIC, machine: MachineType, rootPort: String) -> [HotplugStep] {
        [
            .netdevAdd(id: nic.netdevID, options: NICLayout.netdev(nic)),
            .deviceAdd(id: nic.deviceID, options: NICLayout.device(nic, machine: machine, port: rootPort)),
        ]
    }

    /// Unplugs `nic`: the device, and once the guest has let go of it, the backend (which closes
    /// the tap; removing the tap itself is the host network driver's part).
    public static func detach(_ nic: AttachedNIC) -> [HotplugStep] {
        [.deviceDel(id: nic.deviceID), .awaitDeviceDeleted(id: nic.deviceID), .netdevDel(id: nic.netdevID)]
    }

    /// The steps that take back `completed` (steps of an attach that stopped half-way), last first.
    public static func undo(_ completed: [HotplugStep]) -> [HotplugStep] {
        HotplugStep.undo(completed)
    }
}
