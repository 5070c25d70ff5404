import Foundation
import JoistCore

/// Removes what no backup needs: chunks no manifest names, and temporaries an interrupted write left.
///
/// Runs only with the store's lock held alone (`StoreLock.exclusive`): a backup being written holds
/// it shared from its first chunk to its manifest, so gc never removes a chunk a backup in flight has
/// found already stored, nor the temporary it is writing. When a backup holds the store, gc refuses
/// at once rather than wait. A manifest it cannot read stops it too: the chunks that manifest names
/// are unknown, so nothing is safe to delete.
public struct BackupGC: Sendable {
    public let store: ChunkStore

    public init(store: ChunkStore) { self.store = store }

    /// Collects the store's garbage. Progress counts chunk files looked at (not bytes).
    public func run(progress: (@Sendable (BackupProgress) -> Void)? = nil) async throws -> GCReport {
        let store = self.store
        return try await BlockingWork.run {
            let lock = try StoreLock.exclusive(store.layout)
            return try withExtendedLifetime(lock) { try collect(store, progress: progress) }
        }
    }

    private func collect(_ store: ChunkStore, progress: (@Sendable (BackupProgress) -> Void)?) throws -> GCReport {
        let listing = try store.manifests()
        if let bad = listing.unreadable.first {
            throw JoistError.invalidState(
                "gc stopped before deleting anything: manifest \(bad.path) is unreadable (\(bad.reason)); "
                    + "move it out of the store or repair it, then run gc again")
        }
        let referenced = listing.manifests.reduce(into: Set<ChunkID>()) { $0.formUnion($1.referencedChunks) }
        var report = GCReport(backups: listing.manifests.count)
        let stored = try store.storedChunks()
        var tracker = ProgressTracker(total: UInt64(stored.count), report: progress)
        for chunk in stored {
            if referenced.contains(chunk.id) {
                report.chunksKept += 1
                report.bytesKept += chunk.bytes
            } else {
                try store.remove(chunk.id)
                report.chunksRemoved += 1
                report.bytesFreed += chunk.bytes
            }
            tracker.advance(by: 1, disk: "")
        }
        report.temporariesRemoved = try sweepTemporaries(store.layout)
        return report
    }

    /// Deletes everything in `tmp/`: with the lock held alone, no write is in progress.
    private func sweepTemporaries(_ layout: BackupStoreLayout) throws -> Int {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: layout.temporaryFolder)) ?? []
        for name in names {
            let path = layout.temporaryFolder + "/" + name
            guard unlink(path) == 0 || errno == ENOENT else { throw DurableFile.failure("delete", path) }
        }
        return names.count
    }
}

/// What gc kept and removed.
public struct GCReport: Sendable, Equatable {
    public var backups: Int
    public var chunksKept = 0
    /// Compressed bytes of the chunks kept.
    public var bytesKept: UInt64 = 0
    public var chunksRemoved = 0
    /// Compressed bytes of the chunks removed.
    public var bytesFreed: UInt64 = 0
    public var temporariesRemoved = 0

    public init(backups: Int) { self.backups = backups }
}
