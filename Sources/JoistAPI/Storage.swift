import Foundation
public import JoistCore

/// A storage pool: a place on the host where volumes live, kept by one driver. Pools are global;
/// the volumes in them belong to projects.
public struct StoragePool: Codable, Sendable, Equatable {
    public var name: String
    public var driver: StorageDriverKind
    /// The pool's folder on the host (for `btrfs`, on a btrfs filesystem).
    public var path: String
    public var description: String
    /// Thin overcommit: volumes' virtual sizes may add up to this many times the pool's capacity.
    /// Without it, a new volume must fit in the free space left after every volume is fully written.
    public var overcommit: Double?
    public var createdAt: Date

    public init(
        name: String, driver: StorageDriverKind, path: String, description: String = "", overcommit: Double? = nil,
        createdAt: Date
    ) {
        self.name = name
        self.driver = driver
        self.path = path
        self.description = description
        self.overcommit = overcommit
        self.createdAt = createdAt
    }

    /// The pool every daemon makes at its first start, under its state directory.
    public static let defaultName = "default"
}

/// Space in a pool, in bytes.
public struct StoragePoolUsage: Codable, Sendable, Equatable {
    /// Size of the filesystem holding the pool.
    public var capacity: UInt64
    /// Bytes still free on that filesystem (for unprivileged use).
    public var free: UInt64
    /// Bytes the pool's volumes take on disk now.
    public var used: UInt64
    /// The volumes' virtual sizes added up: what they take once fully written.
    public var allocated: UInt64

    public init(capacity: UInt64, free: UInt64, used: UInt64, allocated: UInt64) {
        self.capacity = capacity
        self.free = free
        self.used = used
        self.allocated = allocated
    }
}

/// `GET /1.0/storage-pools/{pool}`: the pool, its space and the volumes in it.
public struct StoragePoolInfo: Codable, Sendable, Equatable {
    public var pool: StoragePool
    public var usage: StoragePoolUsage
    /// Every volume in the pool that the caller may see, sorted by project and name.
    public var volumes: [StorageVolumeEntry]

    public init(pool: StoragePool, usage: StoragePoolUsage, volumes: [StorageVolumeEntry]) {
        self.pool = pool
        self.usage = usage
        self.volumes = volumes
    }
}

/// A volume named within a pool listing.
public struct StorageVolumeEntry: Codable, Sendable, Equatable {
    public var project: String
    public var name: String

    public init(project: String, name: String) {
        self.project = project
        self.name = name
    }
}

/// `POST /1.0/storage-pools`.
public struct StoragePoolCreate: Codable, Sendable, Equatable {
    public var name: String
    public var driver: StorageDriverKind
    public var path: String
    public var description: String?
    public var overcommit: Double?

    public init(name: String, driver: StorageDriverKind, path: String, description: String? = nil, overcommit: Double? = nil) {
        self.name = name
        self.driver = driver
        self.path = path
        self.description = description
        self.overcommit = overcommit
    }
}

/// A volume: a virtual disk in a pool, owned by a project.
public struct StorageVolume: Codable, Sendable, Equatable {
    public var pool: String
    public var name: String
    public var project: String
    public var format: DiskFormat
    /// The virtual size the guest sees.
    public var size: ByteSize
    /// Bytes the volume takes on disk now.
    public var allocated: UInt64
    /// For a linked clone, the volume whose data it reads until it writes its own (`POOL/NAME`).
    public var linkedTo: VolumeReference?
    /// For a volume made from an image, the image's fingerprint: it reads the image until it writes
    /// its own data, and the image stays while it does.
    public var image: String?
    /// Linked clones that depend on this volume.
    public var dependents: [VolumeReference]
    /// Instances whose configuration names this volume.
    public var usedBy: [String]
    public var createdAt: Date

    public init(
        pool: String, name: String, project: String, format: DiskFormat, size: ByteSize, allocated: UInt64,
        linkedTo: VolumeReference? = nil, image: String? = nil, dependents: [VolumeReference] = [], usedBy: [String] = [],
        createdAt: Date
    ) {
        self.pool = pool
        self.name = name
        self.project = project
        self.format = format
        self.size = size
        self.allocated = allocated
        self.linkedTo = linkedTo
        self.image = image
        self.dependents = dependents
        self.usedBy = usedBy
        self.createdAt = createdAt
    }
}

/// `POST /1.0/storage-pools/{pool}/volumes`.
public struct StorageVolumeCreate: Codable, Sendable, Equatable {
    public var name: String
    /// A size such as `20GiB`.
    public var size: String
    /// `qcow2` (the default) or `raw`.
    public var format: DiskFormat?

    public init(name: String, size: String, format: DiskFormat? = nil) {
        self.name = name
        self.size = size
        self.format = format
    }
}

/// `POST /1.0/storage-pools/{pool}/volumes/{name}/resize`.
public struct StorageVolumeResize: Codable, Sendable, Equatable {
    /// The new virtual size, such as `48GiB`.
    public var size: String
    /// Shrinking loses whatever the guest keeps beyond the new end; it is refused without this.
    public var allowShrink: Bool?

    public init(size: String, allowShrink: Bool? = nil) {
        self.size = size
        self.allowShrink = allowShrink
    }
}

/// `POST /1.0/storage-pools/{pool}/volumes/{name}/clone`.
public struct StorageVolumeClone: Codable, Sendable, Equatable {
    /// The new volume's name, in the same pool and project.
    public var name: String
    /// A copy-on-write clone that reads the source's data (made at once whatever the size); the source
    /// cannot be deleted while linked clones depend on it.
    public var linked: Bool?

    public init(name: String, linked: Bool? = nil) {
        self.name = name
        self.linked = linked
    }
}
