import JoistCore

extension QEMUArgvBuilder {
    /// Root ports (q35: one per virtio-blk disk, one per NIC, then the spares for hot-plug; see
    /// `nicPorts`), the SCSI controller when a disk needs it, then each disk's file node, format node
    /// and device (see `DiskLayout`).
    func diskArgs(_ disks: [AttachedDisk], nicCount: Int, machine: MachineType) -> [String] {
        var args: [String] = []
        if machine == .q35 {
            let ports = disks.count(where: { $0.bus == .virtioBlk }) + nicCount + InstanceSpec.spareHotplugPorts
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

    /// The root port of each NIC on q35, the ones after the virtio-blk disks' (nil on microvm): a
    /// device on q35's root bus cannot be unplugged, and every NIC may be (`joist nic remove`).
    func nicPorts(_ nics: [AttachedNIC], disks: [AttachedDisk], machine: MachineType) -> [String?] {
        guard machine == .q35 else { return nics.map { _ in nil } }
        let first = disks.count(where: { $0.bus == .virtioBlk })
        return nics.indices.map { DiskLayout.rootPortID(first + $0) }
    }
}
