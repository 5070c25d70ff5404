import Foundation
public import JoistCore

/// A backup of an instance's disks in a backup store (`GET /1.0/instances/{name}/backups`). Every
/// backup restores on its own, incremental ones included: `parent` says only what an incremental
/// backup read changes against.
public struct InstanceBackup: Codable, Sendable, Equatable {
    /// The backup's id: its creation time in UTC and a random suffix, e.g. `20261122T101500Z-3f9a1c`.
    public var id: String
    /// The backup store holding it.
    public var store: String
    public var instance: String
    public var createdAt: Date
    /// `full` when every disk was read whole; `incremental` when some disk read only what changed.
    public var kind: String
    /// The backup an incremental one read changes against.
    public var parent: String?
    public var disks: [InstanceBackupDisk]
    /// The sums of the disks' statistics.
    public var stats: InstanceBackupStats
    /// Whether the guest's filesystems were frozen (through its guest agent) when its disks were
    /// captured; absent for a stopped guest, which has nothing to freeze.
    public var filesystemFreeze: FilesystemFreeze?
    /// Whether `instance` still exists. Backups outlive their instance: a deleted instance's backups
    /// are still listed, verified and restored as a new instance.
    public var instanceExists: Bool?
    /// Whether the backup recorded the instance's configuration (backups made before joistd recorded
    /// it restore with the instance's current configuration, so only while it exists).
    public var hasConfiguration: Bool?

    public init(
        id: String, store: String, instance: String, createdAt: Date, kind: String, parent: String? = nil, disks: [InstanceBackupDisk],
        stats: InstanceBackupStats, filesystemFreeze: FilesystemFreeze? = nil, instanceExists: Bool? = nil, hasConfiguration: Bool? = nil
    ) {
        self.id = id
        self.store = store
        self.instance = instance
        self.createdAt = createdAt
        self.kind = kind
        self.parent = parent
        self.disks = disks
        self.stats = stats
        self.filesystemFreeze = filesystemFreeze
        self.instanceExists = instanceExists
        self.hasConfiguration = hasConfiguration
    }
}

/// One disk of a backup.
public struct InstanceBackupDisk: Codable, Sendable, Equatable {
    /// The disk as the instance names it: its volume (`POOL/NAME`) or file path.
    public var name: String
    /// Virtual size in bytes.
    public var size: UInt64
    /// `full` or `incremental`: whether the disk was read whole or only where it changed.
    public var read: String
    /// The change-tracking checkpoint the backup set on the disk; absent for images that keep none (raw).
    public var checkpoint: String?
    public var stats: InstanceBackupStats

    public init(name: String, size: UInt64, read: String, checkpoint: String? = nil, stats: InstanceBackupStats) {
        self.name = name
        self.size = size
        self.read = read
        self.checkpoint = checkpoint
        self.stats = stats
    }
}

/// What writing a backup cost and gained.
public struct InstanceBackupStats: Codable, Sendable, Equatable {
    /// Bytes read from the disks.
    public var bytesRead: UInt64
    /// Uncompressed bytes of the chunks the backup added to the store.
    public var bytesNew: UInt64
    /// Bytes those chunks take in the store, compressed.
    public var bytesStored: UInt64
    /// Chunks read and stored for the first time.
    public var chunksNew: Int
    /// Chunks read that the store already held.
    public var chunksReused: Int
    /// Chunks not read, unchanged since the parent backup.
    public var chunksUnchanged: Int
    /// All-zero chunks, never stored.
    public var chunksZero: Int

    public init(
        bytesRead: UInt64 = 0, bytesNew: UInt64 = 0, bytesStored: UInt64 = 0, chunksNew: Int = 0, chunksReused: Int = 0,
        chunksUnchanged: Int = 0, chunksZero: Int = 0
    ) {
        self.bytesRead = bytesRead
        self.bytesNew = bytesNew
        self.bytesStored = bytesStored
        self.chunksNew = chunksNew
        self.chunksReused = chunksReused
        self.chunksUnchanged = chunksUnchanged
        self.chunksZero = chunksZero
    }
}

/// `POST /1.0/instances/{name}/backups`.
public struct InstanceBackupCreate: Codable, Sendable, Equatable {
    /// The backup store to write to; `default` when absent.
    public var store: String?
    /// A disk snapshot of this name taken at the backup's very moment (qcow2 disks only); kept only
    /// when the backup succeeds.
    public var snapshot: String?

    public init(store: String? = nil, snapshot: String? = nil) {
        self.store = store
        self.snapshot = snapshot
    }
}

/// `POST /1.0/instances/{name}/backups/{backup}/restore`: exactly one of `as` and `inPlace`.
public struct InstanceBackupRestore: Codable, Sendable, Equatable {
    /// The new instance's name; it is created stopped, with new volumes holding the backup's disks.
    public var `as`: String?
    /// Write the backup back into the (stopped) instance's own disks.
    public var inPlace: Bool?
    /// In place: go ahead although the instance has snapshots, which the rewritten disks lose.
    public var force: Bool?

    public init(as name: String) { self.as = name }

    public init(inPlace: Bool, force: Bool? = nil) {
        self.inPlace = inPlace
        self.force = force
    }
}
