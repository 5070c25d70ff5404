import JoistCore

/// Internal snapshots of qcow2 images that no QEMU has open (a running guest's disks are snapshotted
/// over QMP instead: qemu-img could not take the image's write lock).
extension QemuImg {
    /// What `qemu-img snapshot` does with a tag.
    public enum SnapshotAction: String, Sendable, CaseIterable {
        /// `-c`: record the image's present state under the tag.
        case create = "-c"
        /// `-a`: make the tagged state the image's present state again.
        case apply = "-a"
        /// `-d`: forget the tag and free what only it held.
        case delete = "-d"
    }

    /// The argv after `qemu-img` for `action` on the qcow2 image at `path`. The tag must have been
    /// validated (`ResourceName`): it is passed as its own argument, never parsed as an option.
    ///
    /// `qemu-img snapshot` has no `-f`: the format is given in `--image-opts` form instead, so the
    /// image is never probed (commas in the path are doubled, as that form escapes them).
    public static func snapshotArguments(_ action: SnapshotAction, tag: String, path: String) -> [String] {
        let image = "driver=\(ImageFileFormat.qcow2.rawValue),file.driver=file,file.filename=" + path.replacingOccurrences(of: ",", with: ",,")
        return ["snapshot", "-q", "--image-opts", action.rawValue, tag, image]
    }

    /// Creates, applies or deletes the internal snapshot `tag` of the qcow2 image at `path`.
    /// Maps to `qemu-img snapshot -c|-a|-d`.
    public func snapshot(_ action: SnapshotAction, tag: String, path: String) async throws {
        try await command(Self.snapshotArguments(action, tag: tag, path: path)).check("qemu-img snapshot \(action.rawValue) \(tag)")
    }

    /// Removes the persistent dirty bitmap `name` from the qcow2 image at `path`. Maps to
    /// `qemu-img bitmap --remove`.
    public func removeBitmap(_ name: String, path: String) async throws {
        let image = "driver=\(ImageFileFormat.qcow2.rawValue),file.driver=file,file.filename=" + path.replacingOccurrences(of: ",", with: ",,")
        try await command(["bitmap", "--image-opts", "--remove", image, name]).check("qemu-img bitmap --remove \(name)")
    }

    /// The internal snapshots of the qcow2 image at `path` (readable while a guest has it open).
    public func snapshots(of path: String) async throws -> [ImageSnapshot] {
        try await info(path, format: .qcow2).snapshots ?? []
    }
}
