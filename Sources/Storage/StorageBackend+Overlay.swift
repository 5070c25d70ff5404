import JoistCore

extension StorageBackend {
    /// Refuses what no driver can overlay: a raw volume, or a backing file recorded relative to
    /// wherever the volume lands.
    static func checkOverlay(_ volume: VolumeHandle, backing: QemuImg.Backing) throws(JoistError) {
        guard volume.format == .qcow2 else {
            throw .invalidArgument("cannot create volume \(volume) from \(backing.path): a volume that reads another file must be qcow2")
        }
        guard backing.path.hasPrefix("/") else {
            throw .invalidArgument("cannot create volume \(volume): its backing file must be an absolute path, not '\(backing.path)'")
        }
    }
}
