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
