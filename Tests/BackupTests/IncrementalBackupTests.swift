import Backup
import Foundation
import JoistCore
import JoistTesting
import Testing

@Suite("Incremental backups")
struct IncrementalBackupTests {
    @Test("changing 1% of a disk reads and stores about 1%, and the backup still lists every chunk")
    func onePercent() async throws {
        try await withTemporaryDirectory { folder in
            let store = try makeStore(folder)
            let writer = BackupWriter(store: store)
            let chunks = 200
            var disk = randomBytes(chunks * testChunkSize, seed: 11)
            let full = try await writer.write(project: "default", instance: "web-1", disks: ["root": MemorySource(disk)])
            #expect(full.kind == .full)
            #expect(full.stats.bytesRead == UInt64(disk.count))

            // Rewrite two chunks' worth of blocks (1%), as a guest would, and report them as a bitmap would.
            var changed: [DiskExtent] = []
            for chunk in [17, 150] {
                let offset = chunk * testChunkSize + 4096
                disk.replaceSubrange(offset..<offset + 8192, with: randomBytes(8192, seed: UInt64(chunk)))
                changed.append(DiskExtent(offset: UInt64(offset), length: 8192))
            }
            let source = MemorySource(disk, changed: changed)
            let incremental = try await writer.write(
                project: "default", instance: "web-1", disks: ["root": source], parent: full)
            #expect(incremental.kind == .incremental)
            #expect(incremental.parent == full.id)
            #expect(incremental.stats.bytesRead == UInt64(2 * testChunkSize))
            #expect(incremental.stats.chunksNew == 2)
            #expect(incremental.stats.chunksUnchanged == chunks - 2)
            #expect(Double(incremental.stats.bytesNew) / Double(full.stats.bytesNew) <= 0.011)
            #expect(source.reads.map(\.offset) == [UInt64(17 * testChunkSize), UInt64(150 * testChunkSize)])
            #expect(incremental.disks[0].chunks.count == chunks)
            #expect(incremental.disks[0].chunks[0] == full.disks[0].chunks[0])
            #expect(incremental.disks[0].chunks[17] != full.disks[0].chunks[17])

            // It restores on its own, to the changed disk.
            let restored = folder + "/restored.raw"
            try await BackupReader(store: store).restore(incremental, disk: "root", to: RawFileRestoreTarget(path: restored))
            #expect(try [UInt8](Data(contentsOf: URL(fileURLWithPath: restored))) == disk)
        }
    }

    @Test("a source that cannot say what changed is read whole, even with a parent")
    func unknownChanges() async throws {
        try await withTemporaryDirectory { folder in
            let store = try makeStore(folder)
            let writer = BackupWriter(store: store)
            let disk = randomBytes(10 * testChunkSize, seed: 5)
            let full = try await writer.write(project: "default", instance: "web-1", disks: ["root": MemorySource(disk)])
            let again = try await writer.write(project: "default", instance: "web-1", disks: ["root": MemorySource(disk)], parent: full)
            #expect(again.kind == .full)
            #expect(again.parent == nil)
            #expect(again.stats.bytesRead == UInt64(disk.count))
            #expect(again.stats.chunksReused == 10)
            #expect(again.stats.bytesNew == 0)
        }
    }

    @Test("a resized disk and a new disk are read whole; the others incrementally")
    func resizedDisk() async throws {
        try await withTemporaryDirectory { folder in
            let store = try makeStore(folder)
            let writer = BackupWriter(store: store)
            let root = randomBytes(4 * testChunkSize, seed: 1)
            let data = randomBytes(2 * testChunkSize, seed: 2)
            let full = try await writer.write(project: "default", instance: "db", disks: ["root": MemorySource(root), "data": MemorySource(data)])
            let grown = data + randomBytes(testChunkSize, seed: 3)
            let next = try await writer.write(
                project: "default", instance: "db",
                disks: ["root": MemorySource(root, changed: []), "data": MemorySource(grown, changed: []), "logs": MemorySource(data, changed: [])],
                parent: full)
            #expect(next.kind == .incremental)
            #expect(next.disk("root")?.read == .incremental)
            #expect(next.disk("data")?.read == .full)
            #expect(next.disk("logs")?.read == .full)
            #expect(next.disk("root")?.stats.bytesRead == 0)
        }
    }

    @Test("a parent of another instance is refused")
    func foreignParent() async throws {
        try await withTemporaryDirectory { folder in
            let store = try makeStore(folder)
            let writer = BackupWriter(store: store)
            let source = MemorySource(randomBytes(testChunkSize, seed: 1))
            let other = try await writer.write(project: "default", instance: "web-2", disks: ["root": source])
            await #expect(throws: JoistError.self) {
                try await writer.write(project: "default", instance: "web-1", disks: ["root": source], parent: other)
            }
        }
    }

    @Test("chunks of the parent that went missing are read again instead of named")
    func missingParentChunk() async throws {
        try await withTemporaryDirectory { folder in
            let store = try makeStore(folder)
            let writer = BackupWriter(store: store)
            let disk = randomBytes(3 * testChunkSize, seed: 4)
            let full = try await writer.write(project: "default", instance: "web-1", disks: ["root": MemorySource(disk)])
            let lost = try #require(full.disks[0].chunks[1].id)
            try FileManager.default.removeItem(atPath: store.layout.chunkFile(lost))
            let source = MemorySource(disk, changed: [])
            let next = try await writer.write(project: "default", instance: "web-1", disks: ["root": source], parent: full)
            #expect(source.reads == [DiskExtent(offset: UInt64(testChunkSize), length: UInt64(testChunkSize))])
            #expect(store.contains(lost))
            #expect(next.stats.chunksNew == 1)
        }
    }
}
