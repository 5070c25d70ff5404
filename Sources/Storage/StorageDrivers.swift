public import JoistCore

/// The registry of storage drivers: a pool's driver kind and folder give its backend.
public enum StorageDrivers {
    /// The backend that keeps a `kind` pool at `root`; nothing on disk changes until it is used
    /// (`prepare` makes the folders).
    public static func backend(_ kind: StorageDriverKind, root: String, qemuImg: QemuImg = QemuImg()) -> any StorageBackend {
        switch kind {
        case .dir: DirStorageBackend(root: root, qemuImg: qemuImg)
        case .btrfs: BtrfsStorageBackend(root: root, qemuImg: qemuImg)
        }
    }
}
