import Foundation

/// Commits a backup's staged chunks in batches behind the writer (`ChunkStore+Staging`): while up to
/// `depth` batches are made durable, the writer goes on staging the next. The chunks of a batch are
/// committed in parallel, so the file system can fold their `fsync`s into few journal commits and
/// cache flushes, and by then most of their bytes are on disk already (staging started the
/// write-back). More than one batch in flight keeps the writer hashing while the disk catches up,
/// instead of each waiting for the other.
struct ChunkCommitter {
    /// A staged chunk and the index of the disk chunk it holds.
    typealias Entry = (index: Int, chunk: ChunkStore.StagedChunk)

    let store: ChunkStore
    /// Chunks per batch: enough that the waits overlap, few enough that a failure discards little.
    let batchSize: Int
    /// Batches committing at once before `add` waits for the oldest.
    let depth: Int
    private var pending: [Entry] = []
    private var inFlight: [Task<[Entry], any Error>] = []
    /// Chunks that another writer (or an earlier chunk of this backup) stored first.
    private var alreadyStored: [Entry] = []

    init(store: ChunkStore, batchSize: Int = 32, depth: Int = 3) {
        self.store = store
        self.batchSize = max(1, batchSize)
        self.depth = max(1, depth)
    }

    /// Queues a staged chunk; starts a batch when enough are queued.
    mutating func add(_ index: Int, _ chunk: ChunkStore.StagedChunk) async throws {
        pending.append((index, chunk))
        if pending.count >= batchSize { try await startBatch() }
    }

    /// Commits everything queued and waits for it. Returns the chunks that turned out to be stored
    /// already (their staged copies were dropped).
    mutating func finish() async throws -> [Entry] {
        try await startBatch()
        while !inFlight.isEmpty { try await waitForOldestBatch() }
        defer { alreadyStored = [] }
        return alreadyStored
    }

    /// After a failure: commits what is queued all the same (whole chunks, so the next backup need
    /// not read them again, as if they had been stored one by one), or removes them when that fails
    /// too. Best effort: gc removes whatever a crash leaves in `tmp/`.
    mutating func abandon() async {
        do {
            _ = try await finish()
        } catch {
            while !inFlight.isEmpty { _ = try? await waitForOldestBatch() }
            for entry in pending { store.discard(entry.chunk) }
            pending = []
        }
    }

    private mutating func startBatch() async throws {
        while inFlight.count >= depth { try await waitForOldestBatch() }
        guard !pending.isEmpty else { return }
        let batch = pending, store = self.store
        pending = []
        inFlight.append(Task { try await Self.commit(batch, to: store) })
    }

    /// Waits for the oldest batch in flight. After a failure `abandon` awaits the rest, so no
    /// commit outlives the backup.
    private mutating func waitForOldestBatch() async throws {
        guard !inFlight.isEmpty else { return }
        let batch = inFlight.removeFirst()
        alreadyStored += try await batch.value
    }

    /// Commits `batch` in parallel; returns the entries whose chunk was stored already.
    private static func commit(_ batch: [Entry], to store: ChunkStore) async throws -> [Entry] {
        try await withThrowingTaskGroup(of: (Entry, Bool).self) { group in
            for entry in batch {
                group.addTask { (entry, try await BlockingWork.run { try store.commit(entry.chunk) }) }
            }
            // On an error, the group still waits for the rest of the batch (each removes its temporary).
            var stored: [Entry] = []
            for try await (entry, placed) in group where !placed { stored.append(entry) }
            return stored
        }
    }
}
