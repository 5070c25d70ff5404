import Foundation
public import JoistCore

/// One volume's file inside a pool: the project and name it belongs to, and its image format.
///
/// Both names are validated `ResourceName`s, so the path a backend derives from them stays inside the
/// pool: `ROOT/volumes/PROJECT/NAME…`.
public struct VolumeHandle: Sendable, Hashable, CustomStringConvertible {
    public var project: String
    public var name: String
    public var format: DiskFormat

    public init(project: String, name: String, format: DiskFormat) throws(JoistError) {
        self.project = try ResourceName.validate(project, kind: "project")
        self.name = try ResourceName.validate(name, kind: "volume")
        self.format = format
    }

    public var description: String { "\(project)/\(name)" }
}

/// Space on the filesystem that holds a pool, in bytes.
public struct FilesystemSpace: Sendable, Equatable {
    public var capacity: UInt64
    /// Free for unprivileged use (`f_bavail`), the figure `df` shows.
    public var free: UInt64

    public init(capacity: UInt64, free: UInt64) {
        self.capacity = capacity
        self.free = free
    }
}

/// What a clone turned out to be.
public enum CloneKind: Sendable, Equatable {
    /// The clone reads the source's data (a qcow2 backing file): the source must outlive it.
    case linked
    /// The clone stands alone (a full copy, a reflink copy or a btrfs snapshot).
    case independent
}

/// Progress of a long copy, as fractions of one (0…1).
public typealias ProgressHandler = @Sendable (Double) -> Void

/// A pool's volumes on the host, kept by one driver (`dir`, `btrfs`). Every driver passes the same
/// contract suite.
///
/// Writes are crash-safe: a new volume is made under a temporary name inside the pool and renamed into
/// place as its last step, so a crash leaves only temporaries that `sweep()` removes. Methods throw
/// `JoistError` (`notFound`, `alreadyExists`, `invalidArgument`, `unsupported`, `hostFailure` quoting the
/// tool that failed) and leave nothing behind when they fail.
public protocol StorageBackend: Sendable {
    /// The driver behind this backend.
    var kind: StorageDriverKind { get }
    /// The pool's folder on the host.
    var root: String { get }

    /// Makes the pool's folders (idempotent); refuses a path this driver cannot use (not absolute, a
    /// file, or for btrfs not on btrfs), naming why.
    func prepare() async throws
    /// Removes the folders `prepare` made; refuses (`invalidState`) while any volume remains.
    func destroy() async throws
    /// Removes what an interrupted operation left (temporaries); returns the paths removed.
    func sweep() async throws -> [String]
    /// The space of the filesystem holding the pool.
    func space() throws -> FilesystemSpace

    /// The volume's image file, which QEMU opens.
    func path(of volume: VolumeHandle) -> String
    /// Whether the volume exists.
    func exists(_ volume: VolumeHandle) -> Bool
    /// Every volume in the pool, as found on disk.
    func volumes() throws -> [VolumeHandle]

    /// Creates an empty volume of `size` bytes.
    func create(_ volume: VolumeHandle, size: UInt64) async throws
    /// Deletes the volume and everything of it on disk.
    func delete(_ volume: VolumeHandle) async throws
    /// Changes the virtual size of a volume no process has open; shrinking only when `allowShrink`.
    func resize(_ volume: VolumeHandle, to size: UInt64, allowShrink: Bool) async throws
    /// Copies `source` to a new volume `target` (same format). With `linked`, the cheapest copy-on-write
    /// clone the driver has, which may depend on the source (`CloneKind.linked`).
    func clone(_ source: VolumeHandle, to target: VolumeHandle, linked: Bool, progress: ProgressHandler?) async throws -> CloneKind
    /// Virtual size, bytes on disk and backing file of the volume, as qemu-img reports them.
    func inspect(_ volume: VolumeHandle) async throws -> ImageInfo
    /// The volumes that read `volume`'s data (its linked clones), which must go before it can.
    func dependents(of volume: VolumeHandle) throws -> [VolumeHandle]
    /// Bytes the volume's image takes on disk now (what `du` counts): cheap enough for every listing.
    func bytesOnDisk(_ volume: VolumeHandle) throws -> UInt64
    /// Creates a qcow2 volume of `size` bytes that reads `backing` (a file outside the pool, such as an
    /// image, recorded by its absolute path) until the guest writes its own data: made at once,
    /// whatever the backing file's size.
    func createOverlay(_ volume: VolumeHandle, backing: QemuImg.Backing, size: UInt64) async throws

    /// Makes a new volume from the image file `source` (any `ImageFileFormat`, read as
    /// `sourceFormat`), converted to the volume's format, reporting progress. Like `create`, the volume
    /// appears complete or not at all; a backing chain is flattened. Refuses a name in use.
    func importImage(from source: String, sourceFormat: ImageFileFormat, as volume: VolumeHandle, progress: ProgressHandler?)
        async throws
    /// Writes the volume's data, as a guest reads it, to a new image file `destination` in `format`,
    /// under a temporary name beside it renamed into place at the end. Refuses (`alreadyExists`) an
    /// existing `destination` unless `replacing`.
    func exportImage(
        _ volume: VolumeHandle, to destination: String, format: ImageFileFormat, replacing: Bool, progress: ProgressHandler?
    ) async throws
}

extension StorageBackend {
    /// The image file's allocated blocks, from `stat`: the same figure as qemu-img's `actual-size`,
    /// without running it.
    public func bytesOnDisk(_ volume: VolumeHandle) throws -> UInt64 {
        var info = stat()
        guard stat(path(of: volume), &info) == 0 else {
            throw JoistError.hostFailure("cannot inspect volume \(volume): \(POSIXError.current().localizedDescription)")
        }
        return UInt64(info.st_blocks) * 512
    }

    /// No dependents: for drivers whose clones all stand alone.
    public func dependents(of volume: VolumeHandle) throws -> [VolumeHandle] { [] }
}
