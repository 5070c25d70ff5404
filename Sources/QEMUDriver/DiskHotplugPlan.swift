public import JoistCore
public import QMP

/// Where a hot-plugged disk's device goes in a running guest.
public enum DiskPlacement: Sendable, Equatable {
    /// A virtio-blk disk behind the empty PCIe root port with this id (q35).
    case rootPort(String)
    /// A SCSI disk on the guest's virtio SCSI controller.
    case scsiController
    /// A SCSI disk on a controller that is plugged first, behind the empty root port with this id (q35).
    case newSCSIController(rootPort: String)
}

/// The QMP steps that plug a disk into a running guest and unplug it, as data; `DiskHotplugger` runs
/// them. The JSON is the argv builder's (`DiskLayout`), so a hot-plugged disk looks exactly as it
/// would had the guest booted with it, and has the same names.
public enum DiskHotplugPlan {
    /// Picks where `disk` can go, given what the running guest has: its empty root ports (in order)
    /// and whether it has a SCSI controller.
    ///
    /// - Throws: `unsupported` when the machine cannot take the disk while it runs (microvm has no
    ///   hot-pluggable virtio-blk, nor a SCSI controller unless it booted with one) or no root port is free.
    public static func placement(
        for disk: AttachedDisk, machine: MachineType, freeRootPorts: [String], hasSCSIController: Bool
    ) throws(JoistError) -> DiskPlacement {
        switch (disk.bus, machine) {
        case (.virtioSCSI, _) where hasSCSIController:
            return .scsiController
        case (.virtioBlk, .microvm):
            throw JoistError(
                .unsupported,
                "a microvm guest cannot take virtio-blk disks while it runs: attach it while the instance is stopped, or use bus=virtio-scsi")
        case (.virtioSCSI, .microvm):
            throw JoistError(
                .unsupported,
                "this microvm guest has no SCSI controller to take a disk while it runs: attach the disk while the instance is stopped")
        case (_, .q35):
            guard let port = freeRootPorts.first else {
                throw JoistError(
                    .unsupported,
                    "no free hot-plug slot is left in this guest (it has \(InstanceSpec.spareHotplugPorts) beyond its boot disks): restart the instance to attach more")
            }
            return disk.bus == .virtioBlk ? .rootPort(port) : .newSCSIController(rootPort: port)
        }
    }

    /// Plugs `disk` in: its file node, its format node, then the device (after the SCSI controller,
    /// when one must be plugged first).
    public static func attach(_ disk: AttachedDisk, machine: MachineType, at placement: DiskPlacement) -> [HotplugStep] {
        var steps: [HotplugStep] = [
            .blockdevAdd(nodeName: disk.names.fileNode, options: DiskLayout.fileNode(disk)),
            .blockdevAdd(nodeName: disk.names.node, options: DiskLayout.formatNode(disk)),
        ]
        var port: String?
        switch placement {
        case .rootPort(let id): port = id
        case .scsiController: break
        case .newSCSIController(let rootPort):
            let controller = DiskLayout.scsiControllerDevice(machine: machine, port: rootPort)
            steps.append(.deviceAdd(id: DiskLayout.scsiController, options: controller))
        }
        steps.append(.deviceAdd(id: disk.names.device, options: DiskLayout.device(disk, machine: machine, port: port)))
        return steps
    }

    /// Unplugs the disk named `names`: the device, and once the guest has let go of it, the format
    /// node, then the file node under it. A SCSI controller stays, for the next disk.
    public static func detach(_ names: DiskNames) -> [HotplugStep] {
        [
            .deviceDel(id: names.device), .awaitDeviceDeleted(id: names.device),
            .blockdevDel(nodeName: names.node), .blockdevDel(nodeName: names.fileNode),
        ]
    }

    /// The steps that take back `completed` (steps of an attach that stopped half-way), last first.
    public static func undo(_ completed: [HotplugStep]) -> [HotplugStep] {
        HotplugStep.undo(completed)
    }
}

extension DiskHotplugPlan {
    /// The root ports the argv builder made that have nothing behind them, in port order, from QMP
    /// `query-pci`.
    public static func freeRootPorts(in devices: [QMPPCIDevice]) -> [String] {
        devices.filter { DiskLayout.isRootPort($0.id) && $0.devicesBehind?.isEmpty == true }.map(\.id)
            .sorted { $0.count != $1.count ? $0.count < $1.count : $0 < $1 }
    }
}
