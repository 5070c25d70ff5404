public import JoistCore

/// The registry of storage drivers: a pool's driver kind and folder give its backend.
public enum StorageDrivers {
    public static func backend(_ kind: StorageDriverKind, root: String) -> any StorageBackend {
        fatalError("storage drivers are not written yet")
    }
}
