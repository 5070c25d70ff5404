import JoistCore

/// What both drivers do the same way to a volume's image file: inspect it and resize it with qemu-img.
struct VolumeImages: Sendable {
    let qemuImg: QemuImg

    /// Refuses sizes qemu-img would round: zero and sizes that are not whole 512-byte sectors.
    static func validate(size: UInt64, for action: String) throws(JoistError) {
        guard size > 0, size % 512 == 0 else {
            throw .invalidArgument(
                "cannot \(action): a volume's size must be a positive multiple of 512 bytes, not \(ByteSize(bytes: size))")
        }
    }

    func inspect(_ volume: VolumeHandle, at path: String) async throws -> ImageInfo {
        guard Filesystem.isRegularFile(path) else { throw JoistError.notFound("volume \(volume) does not exist") }
        return try await qemuImg.info(path, format: ImageFileFormat(volume.format))
    }

    /// Grows the volume, or shrinks it when `allowShrink` (refused otherwise); same size: nothing to do.
    func resize(_ volume: VolumeHandle, at path: String, to size: UInt64, allowShrink: Bool) async throws {
        try Self.validate(size: size, for: "resize volume \(volume)")
        let current = try await inspect(volume, at: path).virtualSize
        guard size != current else { return }
        let shrink = size < current
        if shrink && !allowShrink {
            throw JoistError.invalidArgument(
                "cannot shrink volume \(volume) from \(ByteSize(bytes: current)) to \(ByteSize(bytes: size)): "
                    + "whatever the guest keeps beyond \(ByteSize(bytes: size)) would be lost; allow shrinking to do it anyway")
        }
        try await qemuImg.resize(path, format: ImageFileFormat(volume.format), size: size, shrink: shrink)
    }
}

extension VolumeImages {
    /// Converts the volume's file at `path` to `destination` (see `StorageBackend.exportImage`).
    func export(
        _ volume: VolumeHandle, at path: String, to destination: String, format: ImageFileFormat, replacing: Bool,
        progress: ProgressHandler?
    ) async throws {
        guard Filesystem.isRegularFile(path) else { throw JoistError.notFound("volume \(volume) does not exist") }
        try await qemuImg.convert(
            from: path, sourceFormat: ImageFileFormat(volume.format), to: destination, format: format, replacing: replacing,
            progress: progress)
    }
}
