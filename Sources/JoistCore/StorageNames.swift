/// Storage drivers Joist has: how a pool keeps its volumes on the host.
public enum StorageDriverKind: String, Codable, Sendable, CaseIterable {
    /// Image files (qcow2 or raw) in a folder; full copies are reflinks where the filesystem can.
    case dir
    /// Each volume in a btrfs subvolume; clones are subvolume snapshots.
    case btrfs
}

/// A volume named by its pool, as users write it: `POOL/NAME`.
public struct VolumeReference: Codable, Sendable, Hashable, Comparable, CustomStringConvertible {
    public var pool: String
    public var name: String

    public init(pool: String, name: String) {
        self.pool = pool
        self.name = name
    }

    /// Parses `POOL/NAME`, validating both names.
    public init(parsing text: String) throws(JoistError) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2 else {
            throw .invalidArgument("invalid volume '\(text)': expected POOL/NAME, e.g. default/web-1-root")
        }
        self.init(pool: try ResourceName.validate(parts[0], kind: "pool"), name: try ResourceName.validate(parts[1], kind: "volume"))
    }

    public var description: String { "\(pool)/\(name)" }

    public static func < (a: VolumeReference, b: VolumeReference) -> Bool { (a.pool, a.name) < (b.pool, b.name) }
}
