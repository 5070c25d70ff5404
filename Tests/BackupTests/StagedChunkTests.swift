import Backup
import Foundation
import JoistCore
import JoistTesting
import Testing

@Suite("Chunks stored in batches, and full backups that skip what the disk says is zeros")
struct StagedChunkTests {
    @Test("a staged chunk is invisible until committed; a second commit of the same bytes reports it stored already; a discarded one leaves nothing")
    func stageThenCommit() async throws {
        try await withTemporaryDirectory { folder in
            let store = try makeStore(folder)
            let bytes = randomBytes(testChunkSize, seed: 7)
            guard case .staged(let first) = try bytes.withUnsafeBytes({ try store.stage($0) }) else {
                Issue.record("new bytes were not staged")
                return
            }
            #expect(!store.contains(first.id), "named before it is durable")
            guard case .staged(let second) = try bytes.withUnsafeBytes({ try store.stage($0) }) else {
                Issue.record("bytes not yet committed were not staged again")
                return
            }
            #expect(try store.commit(first))
            #expect(store.contains(first.id))
            #expect(try store.commit(second) == false)
            try store.syncNames(of: [first.id])
            #expect(try store.read(first.id) == bytes)
            #expect(try bytes.withUnsafeBytes { try store.stage($0) } == .reused(first.id))

            guard case .staged(let dropped) = try randomBytes(testChunkSize, seed: 8).withUnsafeBytes({ try store.stage($0) }) else {
                Issue.record("new bytes were not staged")
                return
            }
            store.discard(dropped)
            #expect(try FileManager.default.contentsOfDirectory(atPath: store.layout.temporaryFolder).isEmpty)
            #expect(!store.contains(dropped.id))
        }
    }

    @Test("a backup of many chunks (several commit batches, a repeated chunk) names only durable chunks and leaves no temporaries")
    func batches() async throws {
        try await withTemporaryDirectory { folder in
            let store = try makeStore(folder)
            let repeated = randomBytes(testChunkSize, seed: 1)
            var disk: [UInt8] = []
            for index in 0..<70 { disk += index % 10 == 3 ? repeated : randomBytes(testChunkSize, seed: UInt64(index) + 100) }
            let manifest = try await BackupWriter(store: store).write(project: "default", instance: "web-1", disks: ["root": MemorySource(disk)])
            // 63 distinct chunks plus the repeated one; its 6 repeats are reused (or found stored at commit).
            #expect(manifest.stats.chunksNew == 64)
            #expect(manifest.stats.chunksReused == 6)
            #expect(try chunkFiles(store).count == 64)
            #expect(try FileManager.default.contentsOfDirectory(atPath: store.layout.temporaryFolder).isEmpty)
            let restored = folder + "/restored.raw"
            try await BackupReader(store: store).restore(manifest, disk: "root", to: try RawFileRestoreTarget(path: restored))
            #expect(try [UInt8](Data(contentsOf: URL(fileURLWithPath: restored))) == disk)
        }
    }

    @Test("a full backup does not read chunks the source says read as zeros, records them as zero chunks, and restores equal")
    func skipsZeroExtents() async throws {
        try await withTemporaryDirectory { folder in
            let store = try makeStore(folder)
            let data = randomBytes(3 * testChunkSize, seed: 5)
            let disk = data + [UInt8](repeating: 0, count: 3 * testChunkSize)
            // Zeros from the middle of chunk 2 on: chunks 3, 4 and 5 are skipped; chunk 2 is read.
            let source = ZeroReportingSource(disk, zeros: [DiskExtent(offset: UInt64(2 * testChunkSize + 100), length: UInt64(4 * testChunkSize - 100))])
            let manifest = try await BackupWriter(store: store).write(project: "default", instance: "web-1", disks: ["root": source])
            #expect(source.memory.reads.map(\.offset) == [0, 1, 2].map { UInt64($0 * testChunkSize) })
            #expect(manifest.stats.bytesRead == UInt64(3 * testChunkSize))
            #expect(manifest.stats.chunksZero == 3)
            #expect(manifest.stats.chunksUnchanged == 0)
            #expect(Array(manifest.disks[0].chunks[3...]) == [.zero, .zero, .zero])
            let restored = folder + "/restored.raw"
            try await BackupReader(store: store).restore(manifest, disk: "root", to: try RawFileRestoreTarget(path: restored))
            #expect(try [UInt8](Data(contentsOf: URL(fileURLWithPath: restored))) == disk)
        }
    }
}

/// A disk in memory that also says which ranges read as zeros, as an NBD allocation map does.
struct ZeroReportingSource: BackupSource {
    let memory: MemorySource
    let zeros: [DiskExtent]

    init(_ bytes: [UInt8], zeros: [DiskExtent]) {
        memory = MemorySource(bytes)
        self.zeros = zeros
    }

    var size: UInt64 { memory.size }
    func changedExtents() async throws -> [DiskExtent]? { nil }
    func zeroExtents() async throws -> [DiskExtent]? { zeros }
    func read(offset: UInt64, length: Int) async throws -> [UInt8] { try await memory.read(offset: offset, length: length) }
}
