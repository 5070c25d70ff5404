public import JoistCore

/// How an image file is kept in the store, which its extension says: `FINGERPRINT.qcow2`, `.raw` or
/// `.iso`. VMware, VirtualBox and Hyper-V images are converted to qcow2 when imported.
public enum StoredImageFormat: String, Codable, Sendable, CaseIterable {
    case qcow2
    case raw
    /// An ISO 9660 file, kept as it is; QEMU reads it as raw.
    case iso

    /// The format QEMU (and qemu-img) opens the file as.
    public var diskFormat: DiskFormat {
        self == .qcow2 ? .qcow2 : .raw
    }

    public var fileExtension: String { rawValue }
}
