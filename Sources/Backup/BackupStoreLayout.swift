/// Where things live in a backup store's folder. Pure: every path derives from the root and names
/// that were validated (`ChunkID`, `BackupID`, `ResourceName`), so none can leave the folder.
///
/// ```
/// ROOT/joist-backup-store.json   what this folder is: format, version, chunk size
/// ROOT/lock                      flock: writers share it, gc takes it alone
/// ROOT/chunks/ab/abcdef…         one zstd frame per chunk, named by the SHA-256 of its bytes
/// ROOT/manifests/PROJECT/INSTANCE/ID.json
/// ROOT/tmp/                      files being written; renamed into place once durable
/// ```
public struct BackupStoreLayout: Sendable, Equatable {
    public let root: String

    public init(root: String) { self.root = root }

    public var formatFile: String { root + "/joist-backup-store.json" }
    public var lockFile: String { root + "/lock" }
    public var chunksFolder: String { root + "/chunks" }
    public var manifestsFolder: String { root + "/manifests" }
    public var temporaryFolder: String { root + "/tmp" }

    /// The 256 fan-out folders, `00` to `ff`.
    public static let fanOuts: [String] = (0..<256).map { value in
        let text = String(value, radix: 16)
        return text.count == 1 ? "0" + text : text
    }

    public func fanOutFolder(_ fanOut: String) -> String { chunksFolder + "/" + fanOut }
    public func chunkFile(_ id: ChunkID) -> String { fanOutFolder(id.fanOut) + "/" + id.hex }
    public func instanceFolder(project: String, instance: String) -> String { manifestsFolder + "/" + project + "/" + instance }
    public func manifestFile(project: String, instance: String, id: BackupID) -> String {
        instanceFolder(project: project, instance: instance) + "/" + id.value + ".json"
    }
}
