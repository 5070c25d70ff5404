import Foundation
public import JoistCore

/// An image: a disk or ISO file in the daemon's image store, named by the SHA-256 of the bytes that
/// were imported. Images are global: every project may make volumes from them.
public struct Image: Codable, Sendable, Equatable {
    /// Lowercase hex SHA-256 of the imported file's bytes (before any conversion).
    public var fingerprint: String
    /// Unique names for the image, sorted.
    public var aliases: [String]
    public var type: ImageType
    /// The stored file's format, which QEMU opens: `qcow2` or `raw` (ISO images are raw).
    public var format: DiskFormat
    /// The format of the file that was imported; VMware, VirtualBox and Hyper-V images are stored as qcow2.
    public var sourceFormat: ImageSourceFormat
    /// The size a guest sees.
    public var virtualSize: ByteSize
    /// Bytes of the stored file.
    public var fileSize: UInt64
    public var createdAt: Date
    /// The volumes linked to the image (copy-on-write clones reading it) that the caller may see.
    public var usedBy: [ImageVolume]

    public init(
        fingerprint: String, aliases: [String], type: ImageType, format: DiskFormat, sourceFormat: ImageSourceFormat,
        virtualSize: ByteSize, fileSize: UInt64, createdAt: Date, usedBy: [ImageVolume] = []
    ) {
        self.fingerprint = fingerprint
        self.aliases = aliases
        self.type = type
        self.format = format
        self.sourceFormat = sourceFormat
        self.virtualSize = virtualSize
        self.fileSize = fileSize
        self.createdAt = createdAt
        self.usedBy = usedBy
    }
}

/// What an image is for.
public enum ImageType: String, Codable, Sendable, CaseIterable {
    /// A disk image: volumes are made from it as copy-on-write clones.
    case disk
    /// An ISO 9660 file (an installer, a seed), kept raw and attached as a CD-ROM.
    case iso
}

/// Formats an import accepts, as detected from the file's contents.
public enum ImageSourceFormat: String, Codable, Sendable, CaseIterable {
    case qcow2, raw
    /// VMware.
    case vmdk
    /// VirtualBox.
    case vdi
    /// Hyper-V.
    case vhdx
    /// Virtual PC / Azure VHD.
    case vpc
    /// ISO 9660 (`CD001` at byte 32769).
    case iso
}

/// A volume that reads an image, named with its project.
public struct ImageVolume: Codable, Sendable, Equatable, Comparable, CustomStringConvertible {
    public var project: String
    public var pool: String
    public var name: String

    public init(project: String, pool: String, name: String) {
        self.project = project
        self.pool = pool
        self.name = name
    }

    /// `POOL/NAME`, with ` (project P)` outside `default`.
    public var description: String {
        "\(pool)/\(name)" + (project == Project.defaultName ? "" : " (project \(project))")
    }

    public static func < (a: ImageVolume, b: ImageVolume) -> Bool { (a.project, a.pool, a.name) < (b.project, b.pool, b.name) }
}

/// `POST /1.0/images` with a JSON body: an import from a URL the daemon downloads, or (local
/// administrators on the Unix socket only) from a file on the daemon's host. Uploads send the bytes
/// instead, as `application/octet-stream`, with the alias in `?alias=`.
public struct ImageImport: Codable, Sendable, Equatable {
    /// An `http` or `https` URL.
    public var url: String?
    /// An absolute path of a regular file on the daemon's host.
    public var path: String?
    /// A name to give the image (also when the image exists already).
    public var alias: String?

    public init(url: String? = nil, path: String? = nil, alias: String? = nil) {
        self.url = url
        self.path = path
        self.alias = alias
    }
}

/// `POST /1.0/images/{name}/aliases`.
public struct ImageAliasCreate: Codable, Sendable, Equatable {
    public var name: String

    public init(name: String) {
        self.name = name
    }
}

/// `POST /1.0/images/build`: build an image from Debian packages (an operation).
public struct ImageBuild: Codable, Sendable, Equatable {
    /// What to build: `debian-12`.
    public var distribution: String
    /// `amd64` (the default; the only one for now).
    public var arch: String?
    /// The image's disk size; 8GiB unless given.
    public var size: ByteSize?
    /// The image's alias; the distribution's name unless given.
    public var alias: String?
    /// Build even when an image of the same inputs exists.
    public var force: Bool?

    public init(distribution: String, arch: String? = nil, size: ByteSize? = nil, alias: String? = nil, force: Bool? = nil) {
        self.distribution = distribution
        self.arch = arch
        self.size = size
        self.alias = alias
        self.force = force
    }
}
