import Foundation
import JoistCore

/// Reads backups back out of a `ChunkStore`: restores a disk, checking every chunk's hash on the way.
///
/// Chunks are read, decompressed and checked on up to `parallelism` threads ahead of the target,
/// which still gets them one at a time, in disk order.
public struct BackupReader: Sendable {
    public let store: ChunkStore
    /// Chunks read and checked at once, ahead of the one being written.
    public let parallelism: Int

    public init(store: ChunkStore, parallelism: Int = max(2, ProcessInfo.processInfo.activeProcessorCount)) {
        self.store = store
        self.parallelism = max(1, parallelism)
    }

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
            let stored = disk.chunks.enumerated().compactMap { index, ref in ref.id.map { (index, $0) } }
            try await withThrowingTaskGroup(of: (Int, [UInt8]).self) { group in
                var next = 0
                func startNext() {
                    guard next < stored.count else { return }
                    let (index, id) = stored[next]
                    next += 1
                    group.addTask { (index, try await BlockingWork.run { try store.read(id) }) }
                }
                for _ in 0..<parallelism { startNext() }
                var ready: [Int: [UInt8]] = [:]
                for (index, ref) in disk.chunks.enumerated() {
                    try Task.checkCancellation()
                    let range = ChunkPlan.range(of: index, size: disk.size, chunkSize: disk.chunkSize)
                    if let id = ref.id {
                        // Chunks finish out of order; the target takes them in order.
                        while ready[index] == nil, let (done, bytes) = try await group.next() {
                            ready[done] = bytes
                            startNext()
                        }
                        guard let bytes = ready.removeValue(forKey: index) else {
                            throw JoistError(.internalError, "backup \(manifest.id), disk \(name): chunk \(index) was never read")
                        }
                        guard bytes.count == Int(range.length) else {
                            throw JoistError.invalidState(
                                "backup \(manifest.id), disk \(name): chunk \(id) holds \(bytes.count) bytes where \(range.length) belong")
                        }
                        try await target.write(bytes, at: range.offset)
                    }
                    tracker.advance(by: range.length, disk: name)
                }
            }
            try await target.finish()
        }
    }
}
