public import JoistCore

/// Image file formats volumes are imported from and exported to, by qemu-img's names. Volumes
/// themselves are `DiskFormat` (qcow2 or raw): what QEMU runs from.
public enum VolumeFileFormat: String, Codable, Sendable, CaseIterable {
    case qcow2
    case raw
    /// VMware.
    case vmdk
    /// VirtualBox.
    case vdi
    /// Hyper-V.
    case vhdx
    /// Virtual PC / Azure VHD.
    case vpc

    /// Guesses the format from a file name's extension (`disk.vhd` → `vpc`); nil when it says nothing.
    public init?(fileExtension: String) {
        switch fileExtension.lowercased() {
        case "qcow2": self = .qcow2
        case "raw", "img": self = .raw
        case "vmdk": self = .vmdk
        case "vdi": self = .vdi
        case "vhdx": self = .vhdx
        case "vhd", "vpc": self = .vpc
        default: return nil
        }
    }

    /// The usual file name extension.
    public var fileExtension: String {
        self == .vpc ? "vhd" : rawValue
    }
}

/// `POST /1.0/storage-pools/{pool}/volumes/{name}/import` with a JSON body: makes volume `{name}`
/// from an image file on joistd's host, which qemu-img reads in place.
///
/// Only the local administrator (on the Unix socket) names host paths; other callers send the file's
/// bytes as the body (`application/octet-stream`) instead, with the formats in the query.
public struct StorageVolumeImport: Codable, Sendable, Equatable {
    /// An absolute path on joistd's host.
    public var path: String
    /// The file's format; probed when absent (a fixed VHD, which probes as raw, is recognised by its
    /// footer).
    public var sourceFormat: VolumeFileFormat?
    /// The new volume's format: `qcow2` (the default) or `raw`.
    public var format: DiskFormat?

    public init(path: String, sourceFormat: VolumeFileFormat? = nil, format: DiskFormat? = nil) {
        self.path = path
        self.sourceFormat = sourceFormat
        self.format = format
    }
}

/// `POST /1.0/storage-pools/{pool}/volumes/{name}/export`: writes the volume's data to an image file.
///
/// With `path` (local administrator only), joistd writes that file on its host; without, it keeps the
/// file for download at `GET /1.0/volume-exports/{operation id}` (named in the operation's result).
public struct StorageVolumeExport: Codable, Sendable, Equatable {
    public var format: VolumeFileFormat
    /// An absolute path on joistd's host; its folder must exist.
    public var path: String?
    /// Replace `path` when a file is there already (refused otherwise).
    public var force: Bool?

    public init(format: VolumeFileFormat, path: String? = nil, force: Bool? = nil) {
        self.format = format
        self.path = path
        self.force = force
    }
}

/// The keys of a transfer operation's `result`.
public enum VolumeTransferResult {
    /// `POOL/NAME` of the volume imported or exported.
    public static let volume = "volume"
    /// The format of the file written (export) or read (import).
    public static let fileFormat = "fileFormat"
    /// Export to a host path: the file written.
    public static let path = "path"
    /// Export for download: where to fetch it (`/1.0/volume-exports/ID`).
    public static let download = "download"
    /// Export for download: the file's length in bytes.
    public static let bytes = "bytes"
}
