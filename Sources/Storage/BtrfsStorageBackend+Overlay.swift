import JoistCore

extension BtrfsStorageBackend {
    /// A subvolume holding a qcow2 `disk.qcow2` whose backing file is `backing`, by its absolute path.
    /// Snapshots of the volume keep reading the same file.
    public func createOverlay(_ volume: VolumeHandle, backing: QemuImg.Backing, size: UInt64) async throws {
        try Self.checkOverlay(volume, backing: backing)
        try VolumeImages.validate(size: size, for: "create volume \(volume)")
        try await makeVolume(volume) { temporary in
            try await btrfs.createSubvolume(temporary)
            try await qemuImg.create(temporary + "/" + Self.imageName(.qcow2), format: .qcow2, size: size, backing: backing)
        }
    }
}
