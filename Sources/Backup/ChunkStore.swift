import Foundation
import JoistCore

/// A backup store on a folder: content-addressed chunks and the manifests that list them.
///
/// Chunks are fixed-size pieces of disks (4 MiB; the last of a disk may be shorter), named by the
/// SHA-256 of their bytes and stored as one zstd frame each under `chunks/ab/abcdef…`. All-zero chunks
/// are never stored. A chunk is written once, however many disks, backups and instances hold it.
///
/// Every write is durable before it is visible (`DurableFile`), and a backup writes its manifest only
/// after all its chunks, so a crash leaves at worst unreferenced chunks and temporaries, which `gc`
/// removes. Methods block on file I/O: call them off Swift's cooperative pool (`BlockingWork`).
public struct ChunkStore: Sendable {
    /// The chunk size new stores get.
    public static let defaultChunkSize = 4 << 20

    public let layout: BackupStoreLayout
    /// Bytes per chunk, fixed when the store was made.
    public let chunkSize: Int

    /// What `joist-backup-store.json` holds.
    struct FormatFile: Codable, Equatable {
        static let formatName = "joist-backup-store"
        static let currentVersion = 1
        var format = formatName
        var version = currentVersion
        var chunkSize: Int
    }

    /// Opens the store in `root`, making it first when the folder is missing or empty. A folder that
    /// holds other files is refused, so a typo never scatters chunks among someone's data.
    public static func openOrCreate(_ root: String, chunkSize: Int = defaultChunkSize) throws -> ChunkStore {
        let layout = BackupStoreLayout(root: root)
        if let existing = try open(layout) { return existing }
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: root, isDirectory: &isFolder) {
            guard isFolder.boolValue else { throw JoistError.invalidArgument("backup store path \(root) is a file, not a folder") }
            let entries = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
            guard entries.isEmpty else {
                throw JoistError.invalidArgument(
                    "\(root) is not empty and is not a Joist backup store (no joist-backup-store.json); choose an empty or new folder")
            }
        }
        guard chunkSize >= 4096, chunkSize <= 64 << 20, chunkSize & (chunkSize - 1) == 0 else {
            throw JoistError.invalidArgument("chunk size \(chunkSize) must be a power of two from 4 KiB to 64 MiB")
        }
        let store = ChunkStore(layout: layout, chunkSize: chunkSize)
        try store.makeFolders()
        let format = try JSONEncoder().encode(FormatFile(chunkSize: chunkSize))
        _ = try format.withUnsafeBytes { try DurableFile.write($0, to: layout.formatFile, temporaryFolder: layout.temporaryFolder) }
        return store
    }

    /// Opens an existing store; nil when `root` holds none. Re-makes missing folders (an emptied
    /// `tmp/`, say) so writes find them.
    public static func open(_ root: String) throws -> ChunkStore? {
        try open(BackupStoreLayout(root: root))
    }

    private static func open(_ layout: BackupStoreLayout) throws -> ChunkStore? {
        guard let bytes = try DurableFile.read(layout.formatFile, limit: 1 << 16) else { return nil }
        let format: FormatFile
        do {
            format = try JSONDecoder().decode(FormatFile.self, from: Data(bytes))
        } catch {
            throw JoistError.invalidState("\(layout.formatFile) is unreadable: \(error)")
        }
        guard format.format == FormatFile.formatName, format.version == FormatFile.currentVersion, format.chunkSize > 0 else {
            throw JoistError.invalidState(
                "\(layout.root) holds a backup store of format \(format.format) version \(format.version); this joistd reads version \(FormatFile.currentVersion)")
        }
        let store = ChunkStore(layout: layout, chunkSize: format.chunkSize)
        try store.makeFolders()
        return store
    }

    private init(layout: BackupStoreLayout, chunkSize: Int) {
        self.layout = layout
        self.chunkSize = chunkSize
    }

    private func makeFolders() throws {
        let files = FileManager.default
        for folder in [layout.root, layout.chunksFolder, layout.manifestsFolder, layout.temporaryFolder] {
            try files.createDirectory(atPath: folder, withIntermediateDirectories: true)
        }
        for fanOut in BackupStoreLayout.fanOuts where !files.fileExists(atPath: layout.fanOutFolder(fanOut)) {
            try files.createDirectory(atPath: layout.fanOutFolder(fanOut), withIntermediateDirectories: true)
        }
        try DurableFile.syncFolder(layout.chunksFolder)
        try DurableFile.syncFolder(layout.root)
    }

    // MARK: Chunks

    /// What storing one chunk came to.
    public enum PutResult: Equatable, Sendable {
        /// All zeros: nothing stored.
        case zero
        /// The store already held it.
        case reused(ChunkID)
        /// Written now, taking `storedBytes` compressed.
        case new(ChunkID, storedBytes: Int)

        public var ref: ChunkRef {
            switch self {
            case .zero: .zero
            case .reused(let id), .new(let id, _): .stored(id)
            }
        }
    }

    /// Stores one chunk's bytes, unless they are all zero or already stored, and returns its reference.
    /// Once this returns, the chunk is durable.
    /// (One chunk at a time; a backup stages many and commits them in batches, `ChunkStore+Staging`.)
    public func put(_ bytes: UnsafeRawBufferPointer) throws -> PutResult {
        switch try stage(bytes) {
        case .zero: return .zero
        case .reused(let id): return .reused(id)
        case .staged(let chunk):
            // Two backups (or two chunks of one) with the same content may race here: one stores it.
            guard try commit(chunk) else { return .reused(chunk.id) }
            try syncNames(of: [chunk.id])
            return .new(chunk.id, storedBytes: chunk.storedBytes)
        }
    }

    public func put(_ bytes: [UInt8]) throws -> PutResult {
        try bytes.withUnsafeBytes { try put($0) }
    }

    /// Whether the chunk's file is there (not whether it is intact: `read` checks that).
    public func contains(_ id: ChunkID) -> Bool {
        access(layout.chunkFile(id), F_OK) == 0
    }

    /// The chunk's bytes, checked against its name. Throws `ChunkError` when it is missing or corrupt.
    public func read(_ id: ChunkID) throws -> [UInt8] {
        let path = layout.chunkFile(id)
        let stored: [UInt8]?
        do {
            stored = try DurableFile.read(path, limit: Zstd.maxFrameSize(for: chunkSize))
        } catch let error as JoistError where error.code == .invalidState {
            throw ChunkError.corrupt(id, reason: error.message)
        }
        guard let stored else { throw ChunkError.missing(id) }
        let bytes: [UInt8]
        do {
            bytes = try Zstd.decompress(stored, maxSize: chunkSize)
        } catch {
            throw ChunkError.corrupt(id, reason: "\(error)")
        }
        guard ChunkID(of: bytes) == id else {
            throw ChunkError.corrupt(id, reason: "its \(bytes.count) bytes hash to \(ChunkID(of: bytes)), not to its name")
        }
        return bytes
    }

    /// Every stored chunk with its compressed size, in no particular order. Skips files whose names
    /// are not chunk names.
    public func storedChunks() throws -> [(id: ChunkID, bytes: UInt64)] {
        var found: [(ChunkID, UInt64)] = []
        for fanOut in BackupStoreLayout.fanOuts {
            let folder = layout.fanOutFolder(fanOut)
            let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
            for name in names {
                guard let id = ChunkID(hex: name), id.fanOut == fanOut else { continue }
                var info = stat()
                guard stat(folder + "/" + name, &info) == 0 else { continue }
                found.append((id, UInt64(info.st_size)))
            }
        }
        return found
    }

    /// Deletes a chunk's file; a chunk already gone is fine.
    func remove(_ id: ChunkID) throws {
        guard unlink(layout.chunkFile(id)) == 0 || errno == ENOENT else { throw DurableFile.failure("delete", layout.chunkFile(id)) }
    }
}

/// Why a chunk cannot be read.
public enum ChunkError: Error, Equatable, CustomStringConvertible {
    case missing(ChunkID)
    case corrupt(ChunkID, reason: String)

    public var id: ChunkID {
        switch self {
        case .missing(let id), .corrupt(let id, _): id
        }
    }

    public var description: String {
        switch self {
        case .missing(let id): "chunk \(id) is missing"
        case .corrupt(let id, let reason): "chunk \(id) is corrupt: \(reason)"
        }
    }
}

extension Zstd {
    /// The largest frame a chunk of `chunkSize` bytes can compress to.
    static func maxFrameSize(for chunkSize: Int) -> Int { chunkSize + chunkSize / 128 + 4096 }
}
