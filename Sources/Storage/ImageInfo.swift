/// What `qemu-img info --output=json` says about an image file (the fields Joist uses).
public struct ImageInfo: Codable, Sendable, Equatable {
    public var filename: String
    /// qemu-img's format name: `qcow2`, `raw`, `vmdk`, `vdi`, `vhdx`, `vpc`, …
    public var format: String
    /// The size the guest sees, in bytes.
    public var virtualSize: UInt64
    /// Bytes the file takes on disk.
    public var actualSize: UInt64?
    /// The backing file as recorded in the image (may be relative to the image's folder).
    public var backingFilename: String?
    /// The backing file as an absolute path.
    public var fullBackingFilename: String?
    public var backingFilenameFormat: String?
    /// qcow2: the image was not closed cleanly.
    public var dirtyFlag: Bool?
    /// qcow2: the internal snapshots the image holds (`nil` when it holds none).
    public var snapshots: [ImageSnapshot]?
    /// qcow2: the names of the persistent dirty bitmaps the image holds (empty when none).
    public var bitmaps: [String] { formatSpecific?.data?.bitmaps?.map(\.name) ?? [] }
    var formatSpecific: FormatSpecific?

    /// The part of `format-specific` Joist reads: qcow2's persistent bitmaps.
    struct FormatSpecific: Codable, Sendable, Equatable {
        struct Data: Codable, Sendable, Equatable {
            struct Bitmap: Codable, Sendable, Equatable { var name: String }
            var bitmaps: [Bitmap]?
        }
        var data: Data?
    }

    public init(
        filename: String, format: String, virtualSize: UInt64, actualSize: UInt64? = nil, backingFilename: String? = nil,
        fullBackingFilename: String? = nil, backingFilenameFormat: String? = nil, dirtyFlag: Bool? = nil
    ) {
        self.filename = filename
        self.format = format
        self.virtualSize = virtualSize
        self.actualSize = actualSize
        self.backingFilename = backingFilename
        self.fullBackingFilename = fullBackingFilename
        self.backingFilenameFormat = backingFilenameFormat
        self.dirtyFlag = dirtyFlag
    }

    enum CodingKeys: String, CodingKey {
        case filename, format
        case virtualSize = "virtual-size"
        case actualSize = "actual-size"
        case backingFilename = "backing-filename"
        case fullBackingFilename = "full-backing-filename"
        case backingFilenameFormat = "backing-filename-format"
        case dirtyFlag = "dirty-flag"
        case snapshots
        case formatSpecific = "format-specific"
    }
}

/// One internal snapshot of a qcow2 image, as `qemu-img info` and QMP's block queries list it.
public struct ImageSnapshot: Codable, Sendable, Equatable {
    /// The snapshot's tag.
    public var name: String
    /// Bytes of saved RAM and device state (0 for a disk-only snapshot).
    public var vmStateSize: UInt64
    /// When it was taken, in seconds since 1970.
    public var dateSeconds: Int64

    public init(name: String, vmStateSize: UInt64, dateSeconds: Int64) {
        self.name = name
        self.vmStateSize = vmStateSize
        self.dateSeconds = dateSeconds
    }

    enum CodingKeys: String, CodingKey {
        case name
        case vmStateSize = "vm-state-size"
        case dateSeconds = "date-sec"
    }
}
