import JoistCore

extension BtrfsStorageBackend {
    /// A new subvolume holding the converted image, renamed into place once complete.
    public func importImage(from source: String, sourceFormat: ImageFileFormat, as volume: VolumeHandle, progress: ProgressHandler?)
        async throws
    {
        try await makeVolume(volume) { temporary in
            try await btrfs.createSubvolume(temporary)
            try await qemuImg.convert(
                from: source, sourceFormat: sourceFormat, to: temporary + "/" + Self.imageName(volume.format),
                format: ImageFileFormat(volume.format), progress: progress)
        }
    }

    public func exportImage(
        _ volume: VolumeHandle, to destination: String, format: ImageFileFormat, replacing: Bool, progress: ProgressHandler?
    ) async throws {
        try await VolumeImages(qemuImg: qemuImg).export(
            volume, at: path(of: volume), to: destination, format: format, replacing: replacing, progress: progress)
    }
}
