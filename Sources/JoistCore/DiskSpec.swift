/// A disk of an instance: where its data lives (a host image file or a pool volume) and how the guest
/// sees it (bus, cache mode, discard).
///
/// Unset options mean QEMU's defaults (virtio-blk, writeback cache, discards ignored), so records
/// written before these options existed keep their meaning. On the wire a disk carries exactly one of
/// `path` and `volume` (see `DiskSpec+Coding.swift`); the CLI and API write it as text (see
/// `DiskSpec+Parsing.swift`).
public struct DiskSpec: Sendable, Equatable {
    /// Where a disk's data lives.
    public enum Source: Sendable, Hashable, CustomStringConvertible {
        /// An image file on the host, by absolute path.
        case file(String)
        /// A volume of a storage pool; the daemon looks up its file when the instance starts.
        case volume(VolumeReference)

        /// The path, or `POOL/NAME`: what names this disk to users.
        public var description: String {
            switch self {
            case .file(let path): path
            case .volume(let volume): volume.description
            }
        }
    }

    public var source: Source
    /// The image format: detected when a file disk is created; `nil` for volumes, whose pool knows it.
    public var format: DiskFormat?
    /// How the disk is attached; `nil` means virtio-blk.
    public var bus: DiskBus?
    /// How QEMU caches writes; `nil` means QEMU's default (writeback).
    public var cache: DiskCache?
    /// Whether the guest's discards (TRIM/UNMAP) free space in the image; `nil` means no.
    public var discard: Bool?

    public init(source: Source, format: DiskFormat? = nil, bus: DiskBus? = nil, cache: DiskCache? = nil, discard: Bool? = nil) {
        self.source = source
        self.format = format
        self.bus = bus
        self.cache = cache
        self.discard = discard
    }

    /// A disk backed by the image file at `path`.
    public init(path: String, format: DiskFormat? = nil, bus: DiskBus? = nil, cache: DiskCache? = nil, discard: Bool? = nil) {
        self.init(source: .file(path), format: format, bus: bus, cache: cache, discard: discard)
    }

    /// A disk backed by a pool volume.
    public init(volume: VolumeReference, bus: DiskBus? = nil, cache: DiskCache? = nil, discard: Bool? = nil) {
        self.init(source: .volume(volume), bus: bus, cache: cache, discard: discard)
    }

    /// The image file, for a file disk.
    public var path: String? {
        if case .file(let path) = source { return path }
        return nil
    }

    /// The pool volume, for a volume disk.
    public var volume: VolumeReference? {
        if case .volume(let volume) = source { return volume }
        return nil
    }

    /// The bus in effect: virtio-blk unless another was chosen.
    public var effectiveBus: DiskBus { bus ?? .virtioBlk }
}

/// Disk image formats QEMU opens directly.
public enum DiskFormat: String, Codable, Sendable, CaseIterable {
    case raw
    case qcow2

    /// Detects the format from a file's first bytes: qcow2 carries the magic `QFI\xfb`; anything else is raw.
    public static func detect(header: some Collection<UInt8>) -> DiskFormat {
        header.prefix(4).elementsEqual([0x51, 0x46, 0x49, 0xFB]) ? .qcow2 : .raw
    }
}

/// How a disk is attached to the guest.
public enum DiskBus: String, Codable, Sendable, CaseIterable {
    /// One virtio block device per disk (`/dev/vdX` in a Linux guest): the fastest, and the default.
    case virtioBlk = "virtio-blk"
    /// A disk on a virtio SCSI controller (`/dev/sdX`): SCSI commands such as UNMAP, and many disks
    /// on one controller.
    case virtioSCSI = "virtio-scsi"
}

/// How QEMU caches a disk's writes; the raw values are QEMU's `cache=` modes.
public enum DiskCache: String, Codable, Sendable, CaseIterable {
    /// QEMU's `none`: bypass the host page cache (O_DIRECT); the guest sees a write cache and flushes
    /// it. (Not named `none`, which would read as `nil` wherever a `DiskCache?` is expected.)
    case uncached = "none"
    /// Use the host page cache; the guest sees a write cache and flushes it (QEMU's default).
    case writeback
    /// Use the host page cache, but report every write done only once it is on disk.
    case writethrough
    /// Bypass the host page cache and report every write done only once it is on disk.
    case directsync
    /// Use the host page cache and ignore the guest's flushes: fast, and loses data if the host crashes.
    case unsafe
}
