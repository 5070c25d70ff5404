public import Foundation
public import JoistCore

/// Writes one backup of an instance's disks into a `ChunkStore`: reads each disk (whole, or only the
/// chunks its source says changed since `parent`), stores the chunks the store lacks, and writes the
/// manifest last.
///
/// Reading is sequential (a source is read one call at a time, in order); hashing, compressing and
/// writing chunks runs on up to `parallelism` threads behind it, and new chunks are made durable in
/// batches behind that (`ChunkCommitter`). Before the manifest is saved, every chunk it names is
/// durable under its name. The store's lock is held shared from the first chunk to the manifest, so
/// gc cannot remove a chunk this backup relies on.
public struct BackupWriter: Sendable {
    public let store: ChunkStore
    /// Chunks hashed, compressed and written at once.
    public let parallelism: Int
    /// Batches of new chunks made durable at once behind the writer (`ChunkCommitter`).
    public let commitDepth: Int

    public init(store: ChunkStore, parallelism: Int = max(2, ProcessInfo.processInfo.activeProcessorCount), commitDepth: Int = 3) {
        self.store = store
        self.parallelism = max(1, parallelism)
        self.commitDepth = max(1, commitDepth)
    }

    /// Backs up `disks` (by disk name) of `project`/`instance` and returns the manifest it saved, which
    /// records `configuration` (the instance's, for restoring it elsewhere).
    ///
    /// With a `parent` (the instance's previous backup in this store), a disk whose source lists its
    /// changed extents reads only the chunks those touch; every other chunk is the parent's. A disk
    /// that is new, resized, or whose source cannot say what changed, is read whole.
    /// Cancelling the task stops between chunks; no manifest is written, and the chunks stored so far
    /// are left for gc.
    public func write(
        project: String, instance: String, disks: [String: any BackupSource], parent: BackupManifest? = nil,
        id: BackupID? = nil, createdAt: Date = Date(), filesystemFreeze: FilesystemFreeze? = nil, configuration: InstanceSpec? = nil,
        progress: (@Sendable (BackupProgress) -> Void)? = nil
    ) async throws -> BackupManifest {
        try ResourceName.validate(project, kind: "project")
        try ResourceName.validate(instance, kind: "instance")
        guard !disks.isEmpty else { throw JoistError.invalidArgument("a backup of instance \(instance) needs at least one disk") }
        for name in disks.keys { try BackupManifest.validate(diskName: name) }
        if let parent, parent.project != project || parent.instance != instance {
            throw JoistError.invalidArgument(
                "backup \(parent.id) is of instance \(parent.project)/\(parent.instance), not \(project)/\(instance); it cannot be the parent")
        }
        let store = self.store
        let lock = try await BlockingWork.run { try StoreLock.shared(store.layout) }
        return try await withExtendedLifetimeAsync(lock) {
            var plans: [DiskPlan] = []
            for name in disks.keys.sorted() {
                guard let source = disks[name] else { continue }
                plans.append(try await plan(name, source, parent: parent?.disk(name)))
            }
            let total = plans.reduce(UInt64(0)) { $0 + $1.bytesToRead(chunkSize: store.chunkSize) }
            var tracker = ProgressTracker(total: total, report: progress)
            var written: [BackupManifest.Disk] = []
            var named = Set<ChunkID>()
            for plan in plans {
                let disk = try await run(plan, tracker: &tracker)
                // Chunks carried over from the parent were made durable by the backup that stored them.
                for index in plan.toRead { if let id = disk.chunks[index].id { named.insert(id) } }
                written.append(disk)
            }
            try await BlockingWork.run { [named] in try store.syncNames(of: named) }
            let usedParent = written.contains { $0.read == .incremental }
            let manifest = BackupManifest(
                id: id ?? BackupID(date: createdAt), project: project, instance: instance, createdAt: createdAt,
                kind: usedParent ? .incremental : .full, parent: usedParent ? parent?.id : nil, disks: written,
                filesystemFreeze: filesystemFreeze, configuration: configuration)
            try await BlockingWork.run { try store.save(manifest) }
            return manifest
        }
    }

    /// What to do for one disk: which chunks to read, and what the rest are.
    struct DiskPlan {
        var name: String
        var source: any BackupSource
        var refs: [ChunkRef?]
        var toRead: [Int]
        var read: BackupKind
        /// Chunks the source said read as zeros, so they are not read.
        var knownZero = 0

        func bytesToRead(chunkSize: Int) -> UInt64 {
            toRead.reduce(0) { $0 + ChunkPlan.range(of: $1, size: source.size, chunkSize: chunkSize).length }
        }
    }

    private func plan(_ name: String, _ source: any BackupSource, parent: BackupManifest.Disk?) async throws -> DiskPlan {
        let count = ChunkPlan.count(size: source.size, chunkSize: store.chunkSize)
        var refs = [ChunkRef?](repeating: nil, count: count)
        guard let parent, parent.size == source.size, parent.chunkSize == store.chunkSize,
            let changed = try await source.changedExtents()
        else {
            // Read whole, except chunks the source knows read as zeros (unallocated): they are zero
            // chunks without reading them.
            let zero = Set(ChunkPlan.chunks(within: try await source.zeroExtents() ?? [], size: source.size, chunkSize: store.chunkSize))
            for index in zero { refs[index] = .zero }
            return DiskPlan(
                name: name, source: source, refs: refs, toRead: (0..<count).filter { !zero.contains($0) }, read: .full, knownZero: zero.count)
        }
        var toRead = Set(ChunkPlan.chunks(touching: changed, size: source.size, chunkSize: store.chunkSize))
        let store = self.store
        // Chunks the parent named but that are gone (a corrupt chunk moved aside, say) are read again.
        let carried = (0..<count).filter { !toRead.contains($0) }
        let missing = try await BlockingWork.run {
            carried.filter { index in parent.chunks[index].id.map { !store.contains($0) } ?? false }
        }
        for index in carried { refs[index] = parent.chunks[index] }
        for index in missing {
            refs[index] = nil
            toRead.insert(index)
        }
        return DiskPlan(name: name, source: source, refs: refs, toRead: toRead.sorted(), read: .incremental)
    }

    private func run(_ plan: DiskPlan, tracker: inout ProgressTracker) async throws -> BackupManifest.Disk {
        let store = self.store, size = plan.source.size
        var refs = plan.refs
        var stats = BackupStats()
        stats.chunksUnchanged = refs.count - plan.toRead.count - plan.knownZero
        stats.chunksZero = plan.knownZero
        var committer = ChunkCommitter(store: store, depth: commitDepth)
        plan.source.willRead(plan.toRead.map { ChunkPlan.range(of: $0, size: size, chunkSize: store.chunkSize) })
        func length(_ index: Int) -> UInt64 { ChunkPlan.range(of: index, size: size, chunkSize: store.chunkSize).length }
        func record(_ index: Int, _ result: ChunkStore.StageResult) async throws {
            switch result {
            case .zero:
                refs[index] = .zero
                stats.chunksZero += 1
            case .reused(let id):
                refs[index] = .stored(id)
                stats.chunksReused += 1
            case .staged(let chunk):
                refs[index] = .stored(chunk.id)
                stats.chunksNew += 1
                stats.bytesNew += length(index)
                stats.bytesStored += UInt64(chunk.storedBytes)
                try await committer.add(index, chunk)
            }
        }
        do {
            try await withThrowingTaskGroup(of: (Int, ChunkStore.StageResult).self) { group in
                do {
                    var inFlight = 0
                    for index in plan.toRead {
                        try Task.checkCancellation()
                        let range = ChunkPlan.range(of: index, size: size, chunkSize: store.chunkSize)
                        let bytes = try await plan.source.read(offset: range.offset, length: Int(range.length))
                        guard bytes.count == Int(range.length) else {
                            throw JoistError.hostFailure(
                                "disk \(plan.name): reading \(range.length) bytes at \(range.offset) returned \(bytes.count)")
                        }
                        if inFlight >= parallelism, let (done, result) = try await group.next() {
                            try await record(done, result)
                            inFlight -= 1
                        }
                        group.addTask { (index, try await BlockingWork.run { try bytes.withUnsafeBytes { try store.stage($0) } }) }
                        inFlight += 1
                        stats.bytesRead += range.length
                        tracker.advance(by: range.length, disk: plan.name)
                    }
                    for try await (done, result) in group { try await record(done, result) }
                } catch {
                    // Chunks that tasks still running stage are kept with the rest (see `abandon`).
                    while let result = await group.nextResult() {
                        if case .success((let index, .staged(let chunk))) = result { try? await committer.add(index, chunk) }
                    }
                    throw error
                }
            }
            // Chunks someone stored between this backup's look and its commit count as reused.
            for (index, chunk) in try await committer.finish() {
                stats.chunksNew -= 1
                stats.chunksReused += 1
                stats.bytesNew -= length(index)
                stats.bytesStored -= UInt64(chunk.storedBytes)
            }
        } catch {
            await committer.abandon()
            throw error
        }
        let chunks = try refs.enumerated().map { index, ref in
            guard let ref else { throw JoistError(.internalError, "disk \(plan.name): chunk \(index) was neither read nor carried over") }
            return ref
        }
        return BackupManifest.Disk(
            name: plan.name, size: size, chunkSize: store.chunkSize, read: plan.read, chunks: chunks, stats: stats,
            checkpoint: plan.source.checkpoint)
    }
}

/// How far a backup, restore or verify has come, in bytes.
public struct BackupProgress: Sendable, Equatable {
    /// The disk being worked on.
    public var disk: String
    public var bytesDone: UInt64
    public var bytesTotal: UInt64
}

struct ProgressTracker {
    let total: UInt64
    let report: (@Sendable (BackupProgress) -> Void)?
    var done: UInt64 = 0

    init(total: UInt64, report: (@Sendable (BackupProgress) -> Void)?) {
        self.total = total
        self.report = report
    }

    mutating func advance(by bytes: UInt64, disk: String) {
        done += bytes
        report?(BackupProgress(disk: disk, bytesDone: done, bytesTotal: total))
    }
}

/// Keeps `value` alive until the async `body` ends (the store lock is released when it goes).
func withExtendedLifetimeAsync<V, T>(_ value: V, _ body: () async throws -> T) async rethrows -> T {
    defer { withExtendedLifetime(value) {} }
    return try await body()
}
