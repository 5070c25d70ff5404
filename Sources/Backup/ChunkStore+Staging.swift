import Foundation
import JoistCore

/// Storing chunks in two steps, so a backup can compute and write many chunks while the disk catches
/// up, and wait for durability in batches instead of once per chunk:
///
/// 1. `stage` hashes and compresses a chunk and writes it to a temporary file (write-back starts);
/// 2. `commit` makes the temporary durable and only then links it under the chunk's name;
/// 3. `syncNames` makes the names durable, one `fsync` per fan-out folder.
///
/// A chunk file under its name is therefore always whole and durable (a crash never leaves a named
/// chunk that later backups would trust and reuse half-written), and a writer calls `syncNames` for
/// every chunk its manifest names (stored or reused) before saving the manifest.
extension ChunkStore {
    /// A chunk written to a temporary file of the store: not yet durable, not yet under its name.
    public struct StagedChunk: Sendable, Equatable {
        public let id: ChunkID
        /// Bytes it takes compressed.
        public let storedBytes: Int
        let temporary: String
    }

    /// What staging one chunk came to.
    public enum StageResult: Sendable, Equatable {
        /// All zeros: nothing to store.
        case zero
        /// The store already holds it.
        case reused(ChunkID)
        /// Written to a temporary file; `commit` puts it in place.
        case staged(StagedChunk)
    }

    /// Hashes the chunk and, unless it is all zeros or already stored, compresses it (or stores it as
    /// it is, in a zstd frame all the same, when it looks incompressible) and writes it to a temporary
    /// file. Blocks on CPU and file I/O.
    public func stage(_ bytes: UnsafeRawBufferPointer) throws -> StageResult {
        guard bytes.count <= chunkSize else { throw JoistError.invalidArgument("a chunk of \(bytes.count) bytes exceeds the store's \(chunkSize)") }
        if ZeroCheck.isAllZero(bytes) { return .zero }
        let id = ChunkID(of: bytes)
        if contains(id) { return .reused(id) }
        let compressed = Zstd.looksIncompressible(bytes) ? Zstd.storedFrame(bytes) : try Zstd.compress(bytes)
        let temporary = try compressed.withUnsafeBytes { try DurableFile.stage($0, temporaryFolder: layout.temporaryFolder) }
        return .staged(StagedChunk(id: id, storedBytes: compressed.count, temporary: temporary))
    }

    /// Makes a staged chunk durable and puts it under its name. Returns false when the store already
    /// held it by then (another backup, or another chunk of this one, stored the same bytes first).
    /// The name is durable only after `syncNames`.
    public func commit(_ chunk: StagedChunk) throws -> Bool {
        try DurableFile.place(chunk.temporary, at: layout.chunkFile(chunk.id))
    }

    /// Removes a staged chunk that will not be committed (its backup failed or was cancelled).
    public func discard(_ chunk: StagedChunk) {
        unlink(chunk.temporary)
    }

    /// Makes the names of `ids` durable: one `fsync` of each fan-out folder that holds any of them.
    public func syncNames(of ids: some Sequence<ChunkID>) throws {
        for fanOut in Set(ids.map(\.fanOut)).sorted() { try DurableFile.syncFolder(layout.fanOutFolder(fanOut)) }
    }
}
