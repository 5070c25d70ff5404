import JoistCore

extension DirStorageBackend {
    /// A linked clone of a qcow2 volume is an overlay reading the source (`.linked`); a raw volume
    /// has no same-format overlay, so it gets an independent copy like a full clone does.
    public func clone(_ source: VolumeHandle, to target: VolumeHandle, linked: Bool, progress: ProgressHandler?)
        async throws -> CloneKind
    {
        let info = try await inspect(source)
        guard source.format == target.format else {
            throw JoistError.invalidArgument(
                "cannot clone volume \(source) to \(target): a clone keeps its source's format (\(source.format.rawValue))")
        }
        try checkFree(target)
        try Filesystem.makeFolder(layout.projectFolder(target.project))
        if linked && source.format == .qcow2 {
            try await overlay(source, to: target, size: info.virtualSize)
            progress?(1)
            return .linked
        }
        try await copy(source, to: target, flatten: info.backingFilename != nil, progress: progress)
        return .independent
    }

    /// Makes `target` a qcow2 overlay of `source`, its backing file recorded relative to its folder.
    private func overlay(_ source: VolumeHandle, to target: VolumeHandle, size: UInt64) async throws {
        let backing = QemuImg.Backing(path: Self.relativePath(of: source, from: target), format: .qcow2)
        let temporary = layout.projectFolder(target.project) + "/" + TemporaryName.make(for: Self.fileName(target.name, target.format))
        do {
            try await qemuImg.create(temporary, format: .qcow2, size: size, backing: backing)
            try Filesystem.renameNoReplace(temporary, to: path(of: target), what: "volume \(target)")
        } catch {
            try? Filesystem.remove(temporary)
            throw error
        }
    }

    /// Copies `source` to `target`: a reflink when the file system can and the source stands alone
    /// (a reflink of an overlay would still read its backing file), else `qemu-img convert`.
    private func copy(_ source: VolumeHandle, to target: VolumeHandle, flatten: Bool, progress: ProgressHandler?) async throws {
        if !flatten {
            let temporary = layout.projectFolder(target.project) + "/" + TemporaryName.make(for: Self.fileName(target.name, target.format))
            do {
                if try Reflink.copy(path(of: source), to: temporary) {
                    try Filesystem.renameNoReplace(temporary, to: path(of: target), what: "volume \(target)")
                    progress?(1)
                    return
                }
            } catch {
                try? Filesystem.remove(temporary)
                throw error
            }
        }
        let format = ImageFileFormat(source.format)
        do {
            try await qemuImg.convert(
                from: path(of: source), sourceFormat: format, to: path(of: target), format: format, progress: progress)
        } catch let error as JoistError where error.code == .alreadyExists {
            throw JoistError.alreadyExists("volume \(target) exists already")
        }
    }

    /// Where `source`'s file is as seen from `target`'s folder: `NAME.qcow2` in the same project,
    /// `../PROJECT/NAME.qcow2` in another. Project folders are siblings, so this is all there is.
    static func relativePath(of source: VolumeHandle, from target: VolumeHandle) -> String {
        let file = fileName(source.name, source.format)
        return source.project == target.project ? file : "../\(source.project)/\(file)"
    }
}
