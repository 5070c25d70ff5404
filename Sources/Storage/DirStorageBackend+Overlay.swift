import JoistCore

extension DirStorageBackend {
    /// A qcow2 file `ROOT/volumes/PROJECT/NAME.qcow2` whose backing file is `backing`, by its absolute
    /// path (an image lives outside the pool, in the daemon's state directory).
    public func createOverlay(_ volume: VolumeHandle, backing: QemuImg.Backing, size: UInt64) async throws {
        try Self.checkOverlay(volume, backing: backing)
        try VolumeImages.validate(size: size, for: "create volume \(volume)")
        try checkFree(volume)
        let folder = layout.projectFolder(volume.project)
        try Filesystem.makeFolder(folder)
        let temporary = folder + "/" + TemporaryName.make(for: Self.fileName(volume.name, volume.format))
        do {
            try await qemuImg.create(temporary, format: .qcow2, size: size, backing: backing)
            try Filesystem.renameNoReplace(temporary, to: path(of: volume), what: "volume \(volume)")
        } catch {
            try? Filesystem.remove(temporary)
            throw error
        }
    }
}
