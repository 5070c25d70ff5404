import JoistCore

extension DirStorageBackend {
    /// `qemu-img convert` straight into the volume's file (through a temporary beside it).
    public func importImage(from source: String, sourceFormat: ImageFileFormat, as volume: VolumeHandle, progress: ProgressHandler?)
        async throws
    {
        try checkFree(volume)
        try Filesystem.makeFolder(layout.projectFolder(volume.project))
        do {
            try await qemuImg.convert(
                from: source, sourceFormat: sourceFormat, to: path(of: volume), format: ImageFileFormat(volume.format), progress: progress)
        } catch let error as JoistError where error.code == .alreadyExists {
            throw JoistError.alreadyExists("volume \(volume) exists already")
        }
    }

    public func exportImage(
        _ volume: VolumeHandle, to destination: String, format: ImageFileFormat, replacing: Bool, progress: ProgressHandler?
    ) async throws {
        try await VolumeImages(qemuImg: qemuImg).export(
            volume, at: path(of: volume), to: destination, format: format, replacing: replacing, progress: progress)
    }
}
