import JoistCore

/// Where disks sit on each machine, and the JSON QEMU gets for them: the same objects go into
/// `-blockdev`/`-device` at boot and into `blockdev-add`/`device_add` when hot-plugging.
///
/// - q35: every virtio-blk disk is behind a PCIe root port of its own, because q35's root bus takes
///   no hot-plugged devices while a root port does; spare empty ports wait for disks plugged later.
/// - virtio-scsi disks sit on one controller, `scsi0`, which takes them hot-plugged on any machine.
/// - microvm: virtio devices are virtio-mmio, which cannot be hot-plugged.
enum DiskLayout {
    /// The virtio SCSI controller's device id.
    static let scsiController = "scsi0"
    /// The controller's SCSI bus, where `scsi-hd` devices go.
    static let scsiBus = scsiController + ".0"
    private static let rootPortPrefix = "port"

    /// The id of the `index`-th root port.
    static func rootPortID(_ index: Int) -> String { rootPortPrefix + String(index) }

    /// Whether `id` names one of the root ports the argv builder makes.
    static func isRootPort(_ id: String) -> Bool {
        id.hasPrefix(rootPortPrefix) && Int(id.dropFirst(rootPortPrefix.count)) != nil
    }

    /// A PCIe root port; each needs a chassis number of its own.
    static func rootPort(index: Int) -> QEMUJSON {
        .object([("driver", .string("pcie-root-port")), ("id", .string(rootPortID(index))), ("chassis", .int(index + 1))])
    }

    /// The virtio SCSI controller, behind root port `port` when given (a hot-plugged one must be).
    static func scsiControllerDevice(machine: MachineType, port: String?) -> QEMUJSON {
        var fields: [(String, QEMUJSON)] = [
            ("driver", .string(machine == .microvm ? "virtio-scsi-device" : "virtio-scsi-pci")),
            ("id", .string(scsiController)),
        ]
        if let port { fields.append(("bus", .string(port))) }
        return .object(fields)
    }

    /// The node that opens the disk's file.
    static func fileNode(_ disk: AttachedDisk) -> QEMUJSON {
        .object(
            [("driver", .string("file")), ("filename", .string(disk.path)), ("node-name", .string(disk.names.fileNode))]
                + nodeOptions(disk))
    }

    /// The format node on top of the file node: what the device reads.
    static func formatNode(_ disk: AttachedDisk) -> QEMUJSON {
        .object(
            [
                ("driver", .string(disk.format.rawValue)), ("file", .string(disk.names.fileNode)),
                ("node-name", .string(disk.names.node)),
            ] + nodeOptions(disk))
    }

    /// The guest device. A virtio-blk disk on q35 goes behind root port `port`; SCSI disks go on the
    /// controller's bus.
    static func device(_ disk: AttachedDisk, machine: MachineType, port: String?) -> QEMUJSON {
        var fields: [(String, QEMUJSON)]
        switch disk.bus {
        case .virtioBlk:
            let driver = machine == .microvm ? "virtio-blk-device" : "virtio-blk-pci"
            fields = [("driver", .string(driver)), ("id", .string(disk.names.device)), ("drive", .string(disk.names.node))]
            if let port { fields.append(("bus", .string(port))) }
        case .virtioSCSI:
            fields = [
                ("driver", .string(disk.media == .cdrom ? "scsi-cd" : "scsi-hd")), ("id", .string(disk.names.device)),
                ("drive", .string(disk.names.node)), ("bus", .string(scsiBus)),
            ]
        }
        if let cache = disk.cache { fields.append(("write-cache", .string(cache.writeCache ? "on" : "off"))) }
        if let bootIndex = disk.bootIndex { fields.append(("bootindex", .int(bootIndex))) }
        return .object(fields)
    }

    /// Options both nodes get, as libvirt sets them: nodes opened by `-blockdev` do not inherit each
    /// other's, and a flush or discard only reaches the file when every node passes it on.
    private static func nodeOptions(_ disk: AttachedDisk) -> [(String, QEMUJSON)] {
        var fields: [(String, QEMUJSON)] = []
        if disk.readOnly { fields.append(("read-only", .bool(true))) }
        if let cache = disk.cache {
            fields.append(("cache", .object([("direct", .bool(cache.direct)), ("no-flush", .bool(cache.noFlush))])))
        }
        if disk.discard { fields.append(("discard", .string("unmap"))) }
        return fields
    }
}

/// QEMU's `cache=` modes as the three settings they stand for.
extension DiskCache {
    /// `cache.direct`: open the file with O_DIRECT, bypassing the host page cache.
    var direct: Bool { self == .uncached || self == .directsync }
    /// `cache.no-flush`: ignore flushes.
    var noFlush: Bool { self == .unsafe }
    /// The device's `write-cache`: whether the guest sees a volatile write cache it must flush.
    var writeCache: Bool { self != .writethrough && self != .directsync }
}
