public import JoistCore

/// A disk as QEMU opens it: a `DiskSpec` with its image resolved (a volume's file and format come
/// from its pool) and the names it goes by. Pure data, shared by the argv builder and hot-plug.
public struct AttachedDisk: Sendable, Equatable {
    /// Resolves a volume to its image file and format; supplied by whoever knows the pools.
    public typealias VolumeResolver = (VolumeReference) throws -> (path: String, format: DiskFormat)

    /// The disk as users name it: its path or `POOL/NAME`.
    public var source: DiskSpec.Source
    public var names: DiskNames
    /// The image file QEMU opens.
    public var path: String
    public var format: DiskFormat
    public var bus: DiskBus
    /// `nil` leaves QEMU's default (writeback).
    public var cache: DiskCache?
    /// Whether the guest's discards free space in the image.
    public var discard: Bool
    /// Whether QEMU opens the image read-only (the guest then sees a read-only disk).
    public var readOnly: Bool
    /// A disk, or a CD-ROM drive with the image as its disc.
    public var media: DiskMedia = .disk
    /// Where the firmware tries the device in its boot order (lowest first); `nil` when a kernel is
    /// booted directly, or for disks plugged in later.
    public var bootIndex: Int?
    /// Whether the firmware may boot from it: a cloud-init seed holds no system and must not take
    /// the boot (it gets no boot index).
    public var bootable = true

    /// The disk `spec` whose image is `path` in `format`.
    public init(spec: DiskSpec, path: String, format: DiskFormat, readOnly: Bool = false) {
        self.source = spec.source
        self.names = DiskNames(for: spec.source)
        self.path = path
        self.format = format
        self.bus = spec.effectiveBus
        self.cache = spec.cache
        self.discard = spec.discard ?? false
        self.readOnly = readOnly
    }

    /// The CD-ROM drive holding the ISO image at `path`: a read-only SCSI CD on the virtio SCSI
    /// controller, which Linux guests and the firmware both read.
    public static func cdrom(path: String) -> AttachedDisk {
        var disk = AttachedDisk(spec: DiskSpec(path: path, bus: .virtioSCSI), path: path, format: .raw, readOnly: true)
        disk.names = .cdrom
        disk.media = .cdrom
        return disk
    }

    /// The cloud-init seed at `path`: a second read-only SCSI CD beside the user's CD-ROM drive
    /// (`cidata0`), never booted from.
    public static func cloudInitSeed(path: String) -> AttachedDisk {
        var disk = cdrom(path: path)
        disk.names = .cloudInitSeed
        disk.bootable = false
        return disk
    }

    /// Resolves `spec`: a file disk is its own path and recorded format; a volume asks `resolveVolume`.
    public init(resolving spec: DiskSpec, resolveVolume: VolumeResolver) throws {
        switch spec.source {
        case .file(let path):
            guard let format = spec.format else {
                throw JoistError.invalidArgument("disk \(path) has no recorded image format (raw or qcow2)")
            }
            self.init(spec: spec, path: path, format: format)
        case .volume(let volume):
            let image = try resolveVolume(volume)
            self.init(spec: spec, path: image.path, format: image.format)
        }
    }

    /// Resolves every disk of an instance, in order.
    public static func resolve(_ disks: [DiskSpec], resolveVolume: VolumeResolver) throws -> [AttachedDisk] {
        try disks.map { try AttachedDisk(resolving: $0, resolveVolume: resolveVolume) }
    }
}

/// What kind of drive the guest sees.
public enum DiskMedia: Sendable, Equatable {
    case disk
    case cdrom
}
