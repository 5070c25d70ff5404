import Backup
import Foundation
import JoistCore
import JoistTesting
import Testing

@Suite("Crash safety, verify and gc")
struct StoreSafetyTests {
    @Test("a backup that dies between its chunks and its manifest leaves no manifest; the store verifies clean and the next backup works")
    func crashBeforeManifest() async throws {
        try await withTemporaryDirectory { folder in
            let store = try makeStore(folder)
            let writer = BackupWriter(store: store, parallelism: 2)
            let disk = randomBytes(8 * testChunkSize, seed: 21)
            // Every chunk but the last is read and stored; then the source dies, as a killed daemon would.
            await #expect(throws: SimulatedCrash.self) {
                try await writer.write(project: "default", instance: "web-1", disks: ["root": MemorySource(disk, failAfterReads: 7)])
            }
            // A crash mid-write also leaves a half-written temporary behind.
            try Data(randomBytes(1000, seed: 1)).write(to: URL(fileURLWithPath: store.layout.temporaryFolder + "/torn"))
            #expect(try store.manifests().manifests.isEmpty)
            #expect(try chunkFiles(store).count == 7)
            #expect(try await BackupVerifier(store: store).verify().isClean)

            let manifest = try await writer.write(project: "default", instance: "web-1", disks: ["root": MemorySource(disk)])
            #expect(manifest.stats.chunksReused == 7)
            #expect(manifest.stats.chunksNew == 1)
            let report = try await BackupGC(store: store).run()
            #expect(report.chunksRemoved == 0)
            #expect(report.temporariesRemoved == 1)
            #expect(try await BackupVerifier(store: store).verify().chunksChecked == 8)
        }
    }

    @Test("a cancelled backup writes no manifest")
    func cancelled() async throws {
        try await withTemporaryDirectory { folder in
            let store = try makeStore(folder)
            let writer = BackupWriter(store: store)
            let source = MemorySource(randomBytes(4 * testChunkSize, seed: 2))
            let task = Task {
                withUnsafeCurrentTask { $0?.cancel() }
                return try await writer.write(project: "default", instance: "web-1", disks: ["root": source])
            }
            await #expect(throws: CancellationError.self) { try await task.value }
            #expect(try store.manifests().manifests.isEmpty)
        }
    }

    @Test("verify finds a flipped byte and a deleted chunk, names them and the backups that need them")
    func verifyFindsDamage() async throws {
        try await withTemporaryDirectory { folder in
            let store = try makeStore(folder)
            let writer = BackupWriter(store: store)
            let disk = randomBytes(4 * testChunkSize, seed: 31)
            let one = try await writer.write(project: "default", instance: "web-1", disks: ["root": MemorySource(disk)])
            let two = try await writer.write(project: "default", instance: "web-1", disks: ["root": MemorySource(disk)])
            let flipped = try #require(one.disks[0].chunks[1].id)
            let deleted = try #require(one.disks[0].chunks[3].id)
            let path = store.layout.chunkFile(flipped)
            var stored = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
            stored[stored.count / 2] ^= 0x01
            try Data(stored).write(to: URL(fileURLWithPath: path))
            try FileManager.default.removeItem(atPath: store.layout.chunkFile(deleted))

            let report = try await BackupVerifier(store: store).verify()
            #expect(!report.isClean)
            #expect(report.chunksChecked == 4)
            let byChunk = Dictionary(uniqueKeysWithValues: report.problems.map { ($0.error.id, $0) })
            #expect(byChunk.count == 2)
            guard case .corrupt = byChunk[flipped]?.error else {
                Issue.record("the flipped chunk should be reported corrupt: \(report.problems)")
                return
            }
            #expect(byChunk[deleted]?.error == .missing(deleted))
            #expect(byChunk[flipped]?.backups == [one.id, two.id].sorted())
            #expect("\(byChunk[flipped]!.error)".contains(flipped.hex))
            // Each damaged backup once, by project, instance and id, with how many of its chunks are bad.
            #expect(
                Set(report.damaged.map { "\($0.project)/\($0.instance)/\($0.id):\($0.badChunks)" })
                    == ["default/web-1/\(one.id):2", "default/web-1/\(two.id):2"])
            #expect(report.damaged.count == 2)

            // Restoring names the bad chunk too.
            await #expect(throws: ChunkError.self) {
                try await BackupReader(store: store).restore(one, disk: "root", to: RawFileRestoreTarget(path: folder + "/r.raw"))
            }
        }
    }

    @Test("gc deletes only the chunks no manifest names")
    func gcKeepsReferenced() async throws {
        try await withTemporaryDirectory { folder in
            let store = try makeStore(folder)
            let writer = BackupWriter(store: store)
            let shared = randomBytes(2 * testChunkSize, seed: 41)
            let old = try await writer.write(
                project: "default", instance: "web-1", disks: ["root": MemorySource(shared + randomBytes(testChunkSize, seed: 42))])
            let kept = try await writer.write(
                project: "default", instance: "web-1", disks: ["root": MemorySource(shared + randomBytes(testChunkSize, seed: 43))])
            #expect(try chunkFiles(store).count == 4)
            try store.deleteManifest(project: "default", instance: "web-1", id: old.id)

            let report = try await BackupGC(store: store).run()
            #expect(report.chunksRemoved == 1)
            #expect(report.chunksKept == 3)
            #expect(try chunkFiles(store) == Set(kept.referencedChunks.map(\.hex)))
            #expect(try await BackupVerifier(store: store).verify().isClean)
        }
    }

    @Test("gc refuses while a backup holds the store, and when a manifest is unreadable")
    func gcRefuses() async throws {
        try await withTemporaryDirectory { folder in
            let store = try makeStore(folder)
            let writer = BackupWriter(store: store)
            _ = try await writer.write(project: "default", instance: "web-1", disks: ["root": MemorySource(randomBytes(testChunkSize, seed: 5))])

            let gate = BlockingSource(size: UInt64(testChunkSize))
            let backup = Task { try await writer.write(project: "default", instance: "web-1", disks: ["root": gate]) }
            await gate.waitUntilReading()
            await #expect(throws: JoistError.self) { try await BackupGC(store: store).run() }
            gate.release()
            _ = try await backup.value

            let bad = store.layout.manifestsFolder + "/default/web-1/broken.json"
            try Data("{".utf8).write(to: URL(fileURLWithPath: bad))
            let before = try chunkFiles(store)
            await #expect(throws: JoistError.self) { try await BackupGC(store: store).run() }
            #expect(try chunkFiles(store) == before)
        }
    }
}

/// A source whose first read waits until the test releases it: a backup caught in the middle.
final class BlockingSource: BackupSource, @unchecked Sendable {
    // @unchecked: the continuations are guarded by `lock`.
    let size: UInt64
    private let lock = NSLock()
    private var reading: CheckedContinuation<Void, Never>?
    private var started = false
    private var released: CheckedContinuation<Void, Never>?
    private var isReleased = false

    init(size: UInt64) { self.size = size }

    func changedExtents() async throws -> [DiskExtent]? { nil }

    func read(offset: UInt64, length: Int) async throws -> [UInt8] {
        lock.withLock {
            started = true
            reading?.resume()
            reading = nil
        }
        await withCheckedContinuation { continuation in
            let go = lock.withLock {
                if isReleased { return true }
                released = continuation
                return false
            }
            if go { continuation.resume() }
        }
        return randomBytes(length, seed: offset + 99)
    }

    func waitUntilReading() async {
        await withCheckedContinuation { continuation in
            let go = lock.withLock {
                if started { return true }
                reading = continuation
                return false
            }
            if go { continuation.resume() }
        }
    }

    func release() {
        let continuation = lock.withLock {
            isReleased = true
            defer { released = nil }
            return released
        }
        continuation?.resume()
    }
}
