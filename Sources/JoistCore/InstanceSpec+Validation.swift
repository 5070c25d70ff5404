extension InstanceSpec {
    /// The smallest memory a guest may have; below this QEMU's firmware alone does not fit.
    public static let minimumMemory = ByteSize.mebibytes(32)
    /// Kernel command lines longer than this are refused (Linux's own x86 limit is 2048).
    public static let maxCmdlineLength = 2048

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
        try Self.validateFile(kernel, role: "kernel", fileExists: fileExists)
        if let initrd { try Self.validateFile(initrd, role: "initrd", fileExists: fileExists) }
        for disk in disks { try Self.validateFile(disk.path, role: "disk", fileExists: fileExists) }
        guard cmdline.utf8.count <= Self.maxCmdlineLength else {
            throw .invalidArgument("cmdline is longer than \(Self.maxCmdlineLength) bytes")
        }
        guard !cmdline.contains(where: { $0.isNewline || $0 == "\0" }) else {
            throw .invalidArgument("cmdline must be a single line")
        }
        if machine == .microvm && !disks.isEmpty && nics.count + disks.count > 8 {
            throw .invalidArgument("microvm supports at most 8 virtio devices")
        }
        let ports = nics.flatMap(\.hostForwards).map { "\($0.proto):\($0.hostAddress):\($0.hostPort)" }
        if let duplicate = Dictionary(grouping: ports, by: { $0 }).first(where: { $0.value.count > 1 })?.key {
            throw .invalidArgument("host port forward \(duplicate) is given twice")
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
