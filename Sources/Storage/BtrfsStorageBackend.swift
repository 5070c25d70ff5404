import Foundation
public import JoistCore

/// The `btrfs` driver: each volume a subvolume `ROOT/volumes/PROJECT/NAME` holding its image file
/// (`disk.qcow2` or `disk.raw`); clones, linked or not, are subvolume snapshots.
///
/// A snapshot shares every extent with its source until either is written, yet depends on nothing:
/// the source can be deleted at any time, so clones here are always `.independent`.
public struct BtrfsStorageBackend: StorageBackend {
    public let root: String
    public var kind: StorageDriverKind { .btrfs }
    let layout: PoolLayout
    let qemuImg: QemuImg
    let btrfs: BtrfsTool
    private var images: VolumeImages { VolumeImages(qemuImg: qemuImg) }

    public init(root: String, qemuImg: QemuImg = QemuImg()) {
        self.root = root
        self.layout = PoolLayout(root: root)
        self.qemuImg = qemuImg
        self.btrfs = BtrfsTool()
    }

    /// Refuses, as `unsupported`, a root that is not on btrfs, before making any folder.
    public func prepare() async throws {
        try layout.validateRoot()
        let existing = Filesystem.nearestExisting(root)
        guard try Filesystem.typeMagic(of: existing) == Filesystem.btrfsMagic else {
            throw JoistError(
                .unsupported,
                "cannot use \(root) for a btrfs pool: \(existing) is not on a btrfs file system; use the dir driver or a btrfs mount")
        }
        try Filesystem.makeFolder(layout.volumesFolder)
    }

    public func destroy() async throws {
        try layout.checkNoVolumes(try volumes())
        _ = try await sweep()
        try layout.removeFolders()
    }

    /// Temporaries are subvolumes (deleted as such) unless the crash came before one was made.
    public func sweep() async throws -> [String] {
        let temporaries = try layout.temporaries()
        for path in temporaries {
            if Self.isSubvolume(path) {
                try await btrfs.deleteSubvolume(path)
            } else {
                try Filesystem.remove(path)
            }
        }
        return temporaries
    }

    public func space() throws -> FilesystemSpace {
        try Filesystem.space(of: root)
    }

    public func path(of volume: VolumeHandle) -> String {
        subvolume(volume) + "/" + Self.imageName(volume.format)
    }

    public func exists(_ volume: VolumeHandle) -> Bool {
        Filesystem.isRegularFile(path(of: volume))
    }

    public func volumes() throws -> [VolumeHandle] {
        var found: [VolumeHandle] = []
        for project in try layout.projects() {
            for name in try Filesystem.entries(of: layout.projectFolder(project)) where !TemporaryName.isTemporary(name) {
                let folder = layout.projectFolder(project) + "/" + name
                guard let format = DiskFormat.allCases.first(where: { Filesystem.isRegularFile(folder + "/" + Self.imageName($0)) }),
                    let volume = try? VolumeHandle(project: project, name: name, format: format)
                else { continue }
                found.append(volume)
            }
        }
        return found
    }

    public func create(_ volume: VolumeHandle, size: UInt64) async throws {
        try VolumeImages.validate(size: size, for: "create volume \(volume)")
        try await makeVolume(volume) { temporary in
            try await btrfs.createSubvolume(temporary)
            try await qemuImg.create(temporary + "/" + Self.imageName(volume.format), format: ImageFileFormat(volume.format), size: size)
        }
    }

    public func delete(_ volume: VolumeHandle) async throws {
        guard exists(volume) else { throw JoistError.notFound("volume \(volume) does not exist") }
        try await btrfs.deleteSubvolume(subvolume(volume))
    }

    public func resize(_ volume: VolumeHandle, to size: UInt64, allowShrink: Bool) async throws {
        try await images.resize(volume, at: path(of: volume), to: size, allowShrink: allowShrink)
    }

    /// A snapshot of the source's subvolume, whether `linked` or not: it is as cheap as an overlay and
    /// needs no backing file.
    public func clone(_ source: VolumeHandle, to target: VolumeHandle, linked: Bool, progress: ProgressHandler?)
        async throws -> CloneKind
    {
        guard exists(source) else { throw JoistError.notFound("volume \(source) does not exist") }
        guard source.format == target.format else {
            throw JoistError.invalidArgument(
                "cannot clone volume \(source) to \(target): a clone keeps its source's format (\(source.format.rawValue))")
        }
        try await makeVolume(target) { temporary in
            try await btrfs.snapshot(subvolume(source), to: temporary)
        }
        progress?(1)
        return .independent
    }

    public func inspect(_ volume: VolumeHandle) async throws -> ImageInfo {
        try await images.inspect(volume, at: path(of: volume))
    }

    /// Fills a temporary subvolume with `fill` and renames it into place as `volume`; on failure the
    /// temporary is deleted.
    func makeVolume(_ volume: VolumeHandle, fill: (String) async throws -> Void) async throws {
        let folder = layout.projectFolder(volume.project)
        guard !Filesystem.exists(subvolume(volume)) else { throw JoistError.alreadyExists("volume \(volume) exists already") }
        try Filesystem.makeFolder(folder)
        let temporary = folder + "/" + TemporaryName.make(for: volume.name)
        do {
            try await fill(temporary)
            try Filesystem.renameNoReplace(temporary, to: subvolume(volume), what: "volume \(volume)")
        } catch {
            if Self.isSubvolume(temporary) {
                try? await btrfs.deleteSubvolume(temporary)
            }
            try? Filesystem.remove(temporary)
            throw error
        }
    }

    /// The volume's subvolume.
    func subvolume(_ volume: VolumeHandle) -> String {
        layout.projectFolder(volume.project) + "/" + volume.name
    }

    static func imageName(_ format: DiskFormat) -> String {
        "disk." + format.rawValue
    }

    /// Whether `path` is the top folder of a subvolume: on btrfs those, and only those, have inode 256.
    static func isSubvolume(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR && info.st_ino == 256
    }
}
