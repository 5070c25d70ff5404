import Foundation
public import JoistCore

/// The `dir` driver: each volume an image file in a folder, `ROOT/volumes/PROJECT/NAME.qcow2` (or
/// `.raw`).
///
/// Linked clones are qcow2 overlays whose backing file is recorded relative to the clone's folder,
/// so a pool folder copied elsewhere keeps working; full clones are reflinks where the file system
/// shares extents, else `qemu-img convert` copies.
public struct DirStorageBackend: StorageBackend {
    public let root: String
    public var kind: StorageDriverKind { .dir }
    let layout: PoolLayout
    let qemuImg: QemuImg
    private var images: VolumeImages { VolumeImages(qemuImg: qemuImg) }

    public init(root: String, qemuImg: QemuImg = QemuImg()) {
        self.root = root
        self.layout = PoolLayout(root: root)
        self.qemuImg = qemuImg
    }

    public func prepare() async throws {
        try layout.validateRoot()
        try Filesystem.makeFolder(layout.volumesFolder)
    }

    public func destroy() async throws {
        try layout.checkNoVolumes(try volumes())
        _ = try await sweep()
        try layout.removeFolders()
    }

    public func sweep() async throws -> [String] {
        let temporaries = try layout.temporaries()
        for path in temporaries {
            try Filesystem.remove(path)
        }
        return temporaries
    }

    public func space() throws -> FilesystemSpace {
        try Filesystem.space(of: root)
    }

    public func path(of volume: VolumeHandle) -> String {
        layout.projectFolder(volume.project) + "/" + Self.fileName(volume.name, volume.format)
    }

    public func exists(_ volume: VolumeHandle) -> Bool {
        Filesystem.isRegularFile(path(of: volume))
    }

    public func volumes() throws -> [VolumeHandle] {
        var found: [VolumeHandle] = []
        for project in try layout.projects() {
            let folder = layout.projectFolder(project)
            for entry in try Filesystem.entries(of: folder) where Filesystem.isRegularFile(folder + "/" + entry) {
                if let volume = Self.volume(project: project, fileName: entry) { found.append(volume) }
            }
        }
        return found
    }

    public func create(_ volume: VolumeHandle, size: UInt64) async throws {
        try VolumeImages.validate(size: size, for: "create volume \(volume)")
        try checkFree(volume)
        let folder = layout.projectFolder(volume.project)
        try Filesystem.makeFolder(folder)
        let temporary = folder + "/" + TemporaryName.make(for: Self.fileName(volume.name, volume.format))
        do {
            try await qemuImg.create(temporary, format: ImageFileFormat(volume.format), size: size)
            try Filesystem.renameNoReplace(temporary, to: path(of: volume), what: "volume \(volume)")
        } catch {
            try? Filesystem.remove(temporary)
            throw error
        }
    }

    /// Refuses, as `invalidState`, to delete a volume that linked clones read from.
    public func delete(_ volume: VolumeHandle) async throws {
        guard exists(volume) else { throw JoistError.notFound("volume \(volume) does not exist") }
        let dependents = try dependents(of: volume)
        guard dependents.isEmpty else {
            let names = dependents.map(\.description).joined(separator: ", ")
            throw JoistError.invalidState("cannot delete volume \(volume): linked clones read from it (\(names)); delete them first")
        }
        try Filesystem.remove(path(of: volume))
    }

    public func resize(_ volume: VolumeHandle, to size: UInt64, allowShrink: Bool) async throws {
        try await images.resize(volume, at: path(of: volume), to: size, allowShrink: allowShrink)
    }

    public func inspect(_ volume: VolumeHandle) async throws -> ImageInfo {
        try await images.inspect(volume, at: path(of: volume))
    }

    /// Refuses a name that a volume of either format already has.
    func checkFree(_ volume: VolumeHandle) throws(JoistError) {
        let folder = layout.projectFolder(volume.project)
        for format in DiskFormat.allCases where Filesystem.exists(folder + "/" + Self.fileName(volume.name, format)) {
            throw .alreadyExists("volume \(volume) exists already")
        }
    }

    static func fileName(_ name: String, _ format: DiskFormat) -> String {
        name + "." + format.rawValue
    }

    /// The volume a file in a project folder is, when its name is `NAME.qcow2` or `NAME.raw`.
    static func volume(project: String, fileName: String) -> VolumeHandle? {
        guard let dot = fileName.lastIndex(of: "."),
            let format = DiskFormat(rawValue: String(fileName[fileName.index(after: dot)...]))
        else { return nil }
        return try? VolumeHandle(project: project, name: String(fileName[..<dot]), format: format)
    }
}
