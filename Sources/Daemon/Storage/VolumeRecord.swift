import Foundation
import JoistAPI
public import JoistCore

/// What the store keeps for one volume, under `/projects/PROJECT/volumes/POOL/NAME`: the facts the
/// image file does not hold. The API shows `StorageVolume`, assembled from this record, the backend's
/// view of the file and the instances that use it.
public struct VolumeRecord: Codable, Sendable, Equatable {
    public var pool: String
    public var name: String
    public var project: String
    public var format: DiskFormat
    /// The virtual size, as the project's `disk` usage counts it.
    public var size: ByteSize
    /// For a linked clone, the volume (same pool and project) whose data it reads.
    public var linkedTo: VolumeReference?
    /// For a volume made from an image (or a snapshot of one), the fingerprint of the image whose
    /// file it reads: the image cannot be deleted while this volume exists.
    public var image: String?
    public var createdAt: Date

    public init(
        pool: String, name: String, project: String, format: DiskFormat, size: ByteSize, linkedTo: VolumeReference? = nil,
        image: String? = nil, createdAt: Date
    ) {
        self.pool = pool
        self.name = name
        self.project = project
        self.format = format
        self.size = size
        self.linkedTo = linkedTo
        self.image = image
        self.createdAt = createdAt
    }

    /// The volume's address.
    public var key: VolumeKey { VolumeKey(project: project, pool: pool, name: name) }

    /// The store key of a volume; like instances, volumes live under their project.
    public static func key(_ key: VolumeKey) -> String { "/projects/\(key.project)/volumes/\(key.pool)/\(key.name)" }

    /// Whether a key under `/projects/` is a volume record (`/projects/P/volumes/POOL/N`).
    static func isVolumeKey(_ key: String) -> Bool {
        let parts = key.split(separator: "/", omittingEmptySubsequences: false)
        return parts.count == 6 && parts[1] == "projects" && parts[3] == "volumes"
    }
}

/// One volume's address: names are unique within a pool and a project.
public struct VolumeKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var project: String
    public var pool: String
    public var name: String

    public init(project: String, pool: String, name: String) {
        self.project = project
        self.pool = pool
        self.name = name
    }

    public init(_ reference: VolumeReference, project: String) {
        self.init(project: project, pool: reference.pool, name: reference.name)
    }

    public var reference: VolumeReference { VolumeReference(pool: pool, name: name) }

    /// `POOL/NAME`, as users write it.
    public var description: String { "\(pool)/\(name)" }

    /// `volume POOL/NAME`, naming the project when it is not `default` (as instance messages do).
    var phrase: String { "volume \(self)" + projectSuffix }

    /// ` in project P`, or nothing in `default`.
    var projectSuffix: String { project == Project.defaultName ? "" : " in project \(project)" }

    /// The volume's API path.
    var apiPath: String { "/1.0/storage-pools/\(pool)/volumes/\(name)" }

    public static func < (a: VolumeKey, b: VolumeKey) -> Bool { (a.project, a.pool, a.name) < (b.project, b.pool, b.name) }
}
