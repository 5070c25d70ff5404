extension ChunkStore {
    /// Counts what the store holds. Reads every chunk folder and manifest: seconds for a large store.
    public func summary(countingChunks: Bool) async throws -> ChunkStoreSummary {
        let store = self
        return try await BlockingWork.run {
            let listing = try store.manifests()
            var summary = ChunkStoreSummary(backups: listing.manifests.count, unreadableManifests: listing.unreadable.count)
            if countingChunks {
                let chunks = try store.storedChunks()
                summary.chunks = chunks.count
                summary.storedBytes = chunks.reduce(0) { $0 + $1.bytes }
            }
            return summary
        }
    }

    /// Opens (or makes) a store off Swift's cooperative pool (it makes 256 folders the first time).
    public static func openOrCreateInBackground(_ root: String, chunkSize: Int = defaultChunkSize) async throws -> ChunkStore {
        try await BlockingWork.run { try ChunkStore.openOrCreate(root, chunkSize: chunkSize) }
    }
}

/// What a store holds.
public struct ChunkStoreSummary: Sendable, Equatable {
    public var backups: Int
    public var unreadableManifests: Int
    public var chunks: Int?
    public var storedBytes: UInt64?
}
