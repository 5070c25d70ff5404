import Foundation
import JoistCore

/// Reads backups back out of a `ChunkStore`: restores a disk, checking every chunk's hash on the way.
public struct BackupReader: Sendable {
    public let store: ChunkStore

    public init(store: ChunkStore) { self.store = store }

    /// Writes disk `disk` of `manifest` to `target`, byte for byte as it was backed up. A missing or
    /// corrupt chunk stops the restore with an error naming it.
    public func restore(
        _ manifest: BackupManifest, disk name: String, to target: any RestoreTarget,
        progress: (@Sendable (BackupProgress) -> Void)? = nil
    ) async throws {
        guard let disk = manifest.disk(name) else {
            let names = manifest.disks.map(\.name).joined(separator: ", ")
            throw JoistError.notFound("backup \(manifest.id) has no disk \(name) (it has \(names))")
        }
        let store = self.store
        let lock = try await BlockingWork.run { try StoreLock.shared(store.layout) }
        try await withExtendedLifetimeAsync(lock) {
            try await target.begin(size: disk.size)
            var tracker = ProgressTracker(total: disk.size, report: progress)
            for (index, ref) in disk.chunks.enumerated() {
                try Task.checkCancellation()
                let range = ChunkPlan.range(of: index, size: disk.size, chunkSize: disk.chunkSize)
                if let id = ref.id {
                    let bytes = try await BlockingWork.run { try store.read(id) }
                    guard bytes.count == Int(range.length) else {
                        throw JoistError.invalidState(
                            "backup \(manifest.id), disk \(name): chunk \(id) holds \(bytes.count) bytes where \(range.length) belong")
                    }
                    try await target.write(bytes, at: range.offset)
                }
                tracker.advance(by: range.length, disk: name)
            }
            try await target.finish()
        }
    }
}
