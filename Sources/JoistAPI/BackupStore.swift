import Foundation

/// A backup store: a folder on the host holding deduplicated, compressed chunks of instances' disks
/// and one manifest per backup. Stores are global; the backups in them belong to projects.
public struct BackupStore: Codable, Sendable, Equatable {
    public var name: String
    /// The store's folder on joistd's host.
    public var path: String
    public var description: String
    public var createdAt: Date

    public init(name: String, path: String, description: String = "", createdAt: Date) {
        self.name = name
        self.path = path
        self.description = description
        self.createdAt = createdAt
    }

    /// The store every daemon makes at its first start, in `STATE/backups`.
    public static let defaultName = "default"
}

/// `POST /1.0/backup-stores`: a new store in an empty or new folder, or an existing store's folder,
/// which is adopted with its backups.
public struct BackupStoreCreate: Codable, Sendable, Equatable {
    public var name: String
    public var path: String
    public var description: String?

    public init(name: String, path: String, description: String? = nil) {
        self.name = name
        self.path = path
        self.description = description
    }
}

/// What a store holds and the space around it.
public struct BackupStoreUsage: Codable, Sendable, Equatable {
    /// Backups (manifests) in the store, of every project.
    public var backups: Int
    /// Size of the filesystem holding the store.
    public var capacity: UInt64
    /// Bytes still free on that filesystem.
    public var free: UInt64
    /// Chunks stored; only in `GET /1.0/backup-stores/{store}` (counting them reads every folder).
    public var chunks: Int?
    /// Compressed bytes of those chunks; only in `GET /1.0/backup-stores/{store}`.
    public var storedBytes: UInt64?

    public init(backups: Int, capacity: UInt64, free: UInt64, chunks: Int? = nil, storedBytes: UInt64? = nil) {
        self.backups = backups
        self.capacity = capacity
        self.free = free
        self.chunks = chunks
        self.storedBytes = storedBytes
    }
}

/// `GET /1.0/backup-stores/{store}`: the store and what it holds.
public struct BackupStoreInfo: Codable, Sendable, Equatable {
    public var store: BackupStore
    public var usage: BackupStoreUsage
    /// Chunk size in bytes, fixed when the store was made (4 MiB).
    public var chunkSize: Int

    public init(store: BackupStore, usage: BackupStoreUsage, chunkSize: Int) {
        self.store = store
        self.usage = usage
        self.chunkSize = chunkSize
    }
}
