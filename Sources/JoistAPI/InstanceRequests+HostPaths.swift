import JoistCore

// What each instance request names on joistd's host. The API refuses these from every caller but the
// local administrator on the Unix socket, before anything looks at the files (even whether they exist).

extension InstanceCreate {
    /// The host files this request names: its kernel, its initrd and every disk given as a path (pool
    /// volumes and the image's root volume are not host files).
    public var hostPaths: [String] {
        let boot = [kernel, initrd].compactMap { $0 }.filter { !$0.isEmpty }
        return boot + (disks ?? []).compactMap(DiskSpec.hostPath(in:))
    }
}

extension InstanceConfigPatch {
    /// The host files these settings name: non-empty values of `kernel` and `initrd` (an empty `initrd`
    /// removes the initramfs and names nothing).
    public var hostPaths: [String] {
        settings.filter { InstanceSpec.hostFileKeys.contains($0.key) && !$0.value.isEmpty }.map(\.value)
    }
}

extension InstanceDiskAttach {
    /// The host file this disk names, when its source is a path rather than a pool volume.
    public var hostPaths: [String] { DiskSpec.hostPath(in: disk).map { [$0] } ?? [] }
}
