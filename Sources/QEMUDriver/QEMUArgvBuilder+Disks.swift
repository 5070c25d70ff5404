import JoistCore

extension QEMUArgvBuilder {
    /// Root ports (q35: one per virtio-blk disk, then the spares for hot-plug), the SCSI controller
    /// when a disk needs it, then each disk's file node, format node and device (see `DiskLayout`).
    func diskArgs(_ disks: [AttachedDisk], machine: MachineType) -> [String] {
        var args: [String] = []
        if machine == .q35 {
            let ports = disks.count(where: { $0.bus == .virtioBlk }) + InstanceSpec.spareHotplugPorts
            for index in 0..<ports { args += ["-device", DiskLayout.rootPort(index: index).rendered] }
        }
        if disks.contains(where: { $0.bus == .virtioSCSI }) {
            args += ["-device", DiskLayout.scsiControllerDevice(machine: machine, port: nil).rendered]
        }
        var nextPort = 0
        for disk in disks {
            var port: String?
            if machine == .q35 && disk.bus == .virtioBlk {
                port = DiskLayout.rootPortID(nextPort)
                nextPort += 1
            }
            args += [
                "-blockdev", DiskLayout.fileNode(disk).rendered,
                "-blockdev", DiskLayout.formatNode(disk).rendered,
                "-device", DiskLayout.device(disk, machine: machine, port: port).rendered,
            ]
        }
        return args
    }
}
