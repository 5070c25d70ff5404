public import Foundation
public import JoistCore

/// What one backup holds: for each disk of the instance, the list of chunks covering the whole disk.
///
/// A manifest names every chunk of every disk, including the chunks an incremental backup did not
/// read (they are the parent's), so each backup restores on its own and pruning one never breaks
/// another. Stored as JSON in the store's `manifests/PROJECT/INSTANCE/ID.json`; `version` lets a
/// later format be told apart.
public struct BackupManifest: Codable, Sendable, Equatable {
    /// The format this code writes and reads.
    public static let currentVersion = 1

    public var version: Int
    public var id: BackupID
    public var project: String
    public var instance: String
    public var createdAt: Date
    /// `full` when every disk was read whole; `incremental` when some disk read only what changed
    /// since `parent`.
    public var kind: BackupKind
    /// The backup an incremental one was based on.
    public var parent: BackupID?
    public var disks: [Disk]
    /// The sums of the disks' statistics.
    public var stats: BackupStats
    /// Whether the guest's filesystems were frozen while its running disks were captured; nil when
    /// the guest was stopped (nothing to freeze) or for backups made before this was recorded.
    public var filesystemFreeze: FilesystemFreeze?
    /// The instance's configuration when it was backed up, so a backup restores as a new instance after
    /// its instance was changed or deleted. Optional: manifests written before it existed still read
    /// as version 1, and so do those whose configuration this joistd cannot decode (see `init(from:)`).
    public var configuration: InstanceSpec?

    public init(
        id: BackupID, project: String, instance: String, createdAt: Date, kind: BackupKind, parent: BackupID?, disks: [Disk],
        filesystemFreeze: FilesystemFreeze? = nil, configuration: InstanceSpec? = nil
    ) {
        self.version = Self.currentVersion
        self.id = id
        self.project = project
        self.instance = instance
        self.createdAt = createdAt
        self.kind = kind
        self.parent = parent
        self.disks = disks
        self.stats = disks.reduce(BackupStats()) { $0 + $1.stats }
        self.filesystemFreeze = filesystemFreeze
        self.configuration = configuration
    }

    enum CodingKeys: String, CodingKey {
        case version, id, project, instance, createdAt, kind, parent, disks, stats, filesystemFreeze, configuration
    }

    /// Reads a manifest. A configuration that does not decode (written by a joistd whose instance
    /// configuration differs) reads as none: the chunk lists are what make a backup restorable, and a
    /// restore then uses the instance's current configuration or says that it has none.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        version = try container.decode(Int.self, forKey: .version)
        id = try container.decode(BackupID.self, forKey: .id)
        project = try container.decode(String.self, forKey: .project)
        instance = try container.decode(String.self, forKey: .instance)
        createdAt = try container.decode(Date.self, forKey: .createdAt)
        kind = try container.decode(BackupKind.self, forKey: .kind)
        parent = try container.decodeIfPresent(BackupID.self, forKey: .parent)
        disks = try container.decode([Disk].self, forKey: .disks)
        stats = try container.decode(BackupStats.self, forKey: .stats)
        filesystemFreeze = try container.decodeIfPresent(FilesystemFreeze.self, forKey: .filesystemFreeze)
        configuration = (try? container.decodeIfPresent(InstanceSpec.self, forKey: .configuration)) ?? nil
    }

    /// One disk of the backup.
    public struct Disk: Codable, Sendable, Equatable {
        /// The disk's name within the instance (e.g. `root`); restore matches disks by it.
        public var name: String
        /// Virtual size in bytes.
        public var size: UInt64
        /// Bytes per chunk; the last chunk holds what is left of `size`.
        public var chunkSize: Int
        /// Whether this disk was read whole or only where it changed since the parent.
        public var read: BackupKind
        /// One entry per chunk, in disk order, covering the whole disk.
        public var chunks: [ChunkRef]
        public var stats: BackupStats
        /// The change-tracking checkpoint this backup set on the disk (a dirty bitmap counting writes
        /// from this backup on), so the next backup can read only what changed; nil when the disk
        /// keeps none (a raw image, or a source without change tracking). Optional, so manifests
        /// written before it existed still read as version 1.
        public var checkpoint: String?

        public init(
            name: String, size: UInt64, chunkSize: Int, read: BackupKind, chunks: [ChunkRef], stats: BackupStats,
            checkpoint: String? = nil
        ) {
            self.name = name
            self.size = size
            self.chunkSize = chunkSize
            self.read = read
            self.chunks = chunks
            self.stats = stats
            self.checkpoint = checkpoint
        }
    }

    /// The disk named `name`, if the backup has it.
    public func disk(_ name: String) -> Disk? { disks.first { $0.name == name } }

    /// The stored chunks the backup needs, each once.
    public var referencedChunks: Set<ChunkID> {
        Set(disks.lazy.flatMap(\.chunks).compactMap(\.id))
    }

    /// Checks what JSON cannot: a known version, valid names, and chunk lists that cover each disk exactly.
    public func validate() throws(JoistError) {
        guard version == Self.currentVersion else {
            throw .invalidState("backup \(id) has manifest version \(version); this joistd reads version \(Self.currentVersion)")
        }
        try ResourceName.validate(project, kind: "project")
        try ResourceName.validate(instance, kind: "instance")
        for disk in disks {
            try BackupManifest.validate(diskName: disk.name)
            guard disk.chunkSize > 0 else { throw .invalidState("backup \(id), disk \(disk.name): chunk size \(disk.chunkSize) is not positive") }
            let expected = ChunkPlan.count(size: disk.size, chunkSize: disk.chunkSize)
            guard disk.chunks.count == expected else {
                throw .invalidState(
                    "backup \(id), disk \(disk.name): \(disk.chunks.count) chunks listed, but \(disk.size) bytes need \(expected)")
            }
        }
        guard Set(disks.map(\.name)).count == disks.count else { throw .invalidState("backup \(id) lists a disk twice") }
    }

    /// Disk names are data, not paths, but stay printable and short: 1–128 characters, no control
    /// characters.
    public static func validate(diskName name: String) throws(JoistError) {
        guard !name.isEmpty, name.count <= 128,
            !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
        else { throw .invalidArgument("disk name '\(name.prefix(128))' must be 1–128 characters without control characters") }
    }
}

/// Whether a backup (or one disk of it) was read whole or only where it changed.
public enum BackupKind: String, Codable, Sendable, Equatable {
    case full
    case incremental
}

/// What writing a backup cost and gained.
public struct BackupStats: Codable, Sendable, Equatable {
    /// Bytes read from the source disks.
    public var bytesRead: UInt64 = 0
    /// Uncompressed bytes of the chunks this backup added to the store.
    public var bytesNew: UInt64 = 0
    /// Bytes the new chunks take in the store, compressed.
    public var bytesStored: UInt64 = 0
    /// Chunks read and stored for the first time.
    public var chunksNew = 0
    /// Chunks read that the store already held (from any backup of any instance).
    public var chunksReused = 0
    /// Chunks not read: unchanged since the parent backup, whose chunk the manifest names.
    public var chunksUnchanged = 0
    /// All-zero chunks, which are never stored.
    public var chunksZero = 0

    public init() {}

    public static func + (a: BackupStats, b: BackupStats) -> BackupStats {
        var sum = a
        sum.bytesRead += b.bytesRead
        sum.bytesNew += b.bytesNew
        sum.bytesStored += b.bytesStored
        sum.chunksNew += b.chunksNew
        sum.chunksReused += b.chunksReused
        sum.chunksUnchanged += b.chunksUnchanged
        sum.chunksZero += b.chunksZero
        return sum
    }
}
