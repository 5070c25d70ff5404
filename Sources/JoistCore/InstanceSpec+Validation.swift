extension InstanceSpec {
    /// The smallest memory a guest may have; below this QEMU's firmware alone does not fit.
    public static let minimumMemory = ByteSize.mebibytes(32)
    /// Kernel command lines longer than this are refused (Linux's own x86 limit is 2048).
    public static let maxCmdlineLength = 2048
    /// Empty PCIe root ports a q35 guest gets beside those of its disks: the slots disks hot-plugged
    /// while it runs go into (q35's root bus itself takes no hot-plugged devices).
    public static let spareHotplugPorts = 8
    /// Slots on q35's root bus that devices may use: 32 less the host bridge and the ICH9 functions.
    static let q35Slots = 30

    /// Checks the spec against the host, throwing the first problem as a sentence a user can act on.
    ///
    /// `fileExists` is the only I/O, injected so the rules stay pure and testable.
    public func validate(host: HostResources, fileExists: (String) -> Bool) throws(JoistError) {
        try ResourceName.validate(name)
        guard cpus >= 1 else { throw .invalidArgument("cpus must be at least 1 (got \(cpus))") }
        guard cpus <= host.cpus else {
            throw .invalidArgument("cpus \(cpus) exceeds the host's \(host.cpus) CPUs")
        }
        guard memory >= Self.minimumMemory else {
            throw .invalidArgument("memory \(memory) is below the minimum of \(Self.minimumMemory)")
        }
        guard memory <= host.memory else {
            throw .invalidArgument("memory \(memory) exceeds the host's \(host.memory) of RAM")
        }
        guard memory.bytes % (1 << 20) == 0 else {
            throw .invalidArgument("memory \(memory) must be a whole number of MiB")
        }
        try validateBoot(fileExists: fileExists)
        try validateDisks(fileExists: fileExists)
        guard cmdline.utf8.count <= Self.maxCmdlineLength else {
            throw .invalidArgument("cmdline is longer than \(Self.maxCmdlineLength) bytes")
        }
        guard !cmdline.contains(where: { $0.isNewline || $0 == "\0" }) else {
            throw .invalidArgument("cmdline must be a single line")
        }
        guard machine == .q35 || effectiveDisplay == .none else {
            throw .invalidArgument("display std needs machine q35 (a microvm has no PCI bus for a VGA card); set display=none or machine=q35")
        }
        try validateDeviceCount()
        try validateNICs()
        try cloudInit?.validate()
    }

    /// Each NIC, and nothing two NICs cannot share: a name, a host port forwarded twice, or one MAC address
    /// (the guest could not tell the NICs apart, nor a DHCP server their leases).
    private func validateNICs() throws(JoistError) {
        var macs: Set<MACAddress> = []
        var ids: Set<Int> = []
        for nic in nics {
            try nic.validate()
            if let id = nic.id, !ids.insert(id).inserted {
                throw .invalidArgument("two NICs are named eth\(id): each NIC needs its own number")
            }
            if let mac = nic.mac, !macs.insert(mac).inserted {
                throw .invalidArgument("MAC address \(mac) is given to two NICs: each NIC needs its own")
            }
        }
        let ports = nics.flatMap(\.hostForwards).map { "\($0.proto):\($0.hostAddress):\($0.hostPort)" }
        if let duplicate = Dictionary(grouping: ports, by: { $0 }).first(where: { $0.value.count > 1 })?.key {
            throw .invalidArgument("host port forward \(duplicate) is given twice")
        }
    }

    /// A kernel to boot directly (with its initrd), or the firmware booting disks and CD-ROM: microvm
    /// has no firmware that reads disks, and an initrd means nothing without a kernel.
    private func validateBoot(fileExists: (String) -> Bool) throws(JoistError) {
        if let kernel {
            try Self.validateFile(kernel, role: "kernel", fileExists: fileExists)
        } else {
            guard initrd == nil else { throw .invalidArgument("an initrd needs a kernel: give the kernel too, or neither") }
            guard machine != .microvm else {
                throw .invalidArgument("a microvm boots only a kernel given directly (--kernel); use machine q35 to boot from disk")
            }
        }
        if let initrd { try Self.validateFile(initrd, role: "initrd", fileExists: fileExists) }
        if let cdrom, cdrom.count != 64 || !cdrom.allSatisfy(\.isHexDigit) || cdrom.contains(where: \.isUppercase) {
            throw .invalidArgument("cdrom must be an image's full fingerprint (64 lowercase hex digits), not '\(cdrom)'")
        }
    }

    /// Each disk's source, and no source twice: two disks writing one image would corrupt it.
    private func validateDisks(fileExists: (String) -> Bool) throws(JoistError) {
        var sources: Set<DiskSpec.Source> = []
        for disk in disks {
            switch disk.source {
            case .file(let path):
                try Self.validateFile(path, role: "disk", fileExists: fileExists)
            case .volume(let volume):
                try ResourceName.validate(volume.pool, kind: "pool")
                try ResourceName.validate(volume.name, kind: "volume")
            }
            guard sources.insert(disk.source).inserted else {
                throw .invalidArgument("disk \(disk.source) is given twice")
            }
        }
    }

    /// Devices must fit the machine: microvm has 8 virtio-mmio transports; on q35 every virtio-blk
    /// disk has a root port of its own, and the spare hot-plug ports take slots too.
    private func validateDeviceCount() throws(JoistError) {
        let blk = disks.count(where: { $0.effectiveBus == .virtioBlk })
        let needsSCSI = blk < disks.count || cdrom != nil || hasCloudInitSeed
        let devices = nics.count + blk + (needsSCSI ? 1 : 0)
        switch machine {
        case .microvm:
            if (!disks.isEmpty || cdrom != nil || hasCloudInitSeed) && devices > 8 { throw .invalidArgument("microvm supports at most 8 virtio devices") }
        case .q35:
            // The guest agent's virtio-serial controller and the VGA card sit on the root bus too.
            let room = Self.q35Slots - Self.spareHotplugPorts - 1 - (effectiveDisplay == .std ? 1 : 0)
            if devices > room {
                throw .invalidArgument(
                    "q35 has room for \(room) PCI devices (virtio-blk disks, NICs and one SCSI controller) with display \(effectiveDisplay.rawValue); this instance needs \(devices)")
            }
        }
    }

    private static func validateFile(_ path: String, role: String, fileExists: (String) -> Bool) throws(JoistError) {
        guard path.hasPrefix("/") else { throw .invalidArgument("\(role) path '\(path)' must be absolute") }
        guard !path.contains(where: { $0.isNewline || $0 == "\0" }) else {
            throw .invalidArgument("\(role) path must not contain control characters")
        }
        guard fileExists(path) else { throw .invalidArgument("\(role) file '\(path)' does not exist") }
    }
}
