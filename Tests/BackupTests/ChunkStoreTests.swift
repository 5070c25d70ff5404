import Backup
import Foundation
import JoistCore
import JoistTesting
import Testing

@Suite("The content-addressed chunk store")
struct ChunkStoreTests {
    @Test("chunks are named by the SHA-256 of their bytes and stored compressed under a fan-out folder")
    func layout() async throws {
        try await withTemporaryDirectory { folder in
            let store = try makeStore(folder)
            let bytes = [UInt8](repeating: 0x61, count: testChunkSize)
            let result = try store.put(bytes)
            let id = try #require(result.ref.id)
            #expect(id.hex.count == 64)
            let path = store.layout.chunksFolder + "/" + String(id.hex.prefix(2)) + "/" + id.hex
            let size = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
            #expect(size < testChunkSize / 10)
            #expect(try store.read(id) == bytes)
            #expect(try store.put(bytes) == .reused(id))
        }
    }

    @Test("two disks sharing content share chunks, and zero chunks are never stored")
    func dedupe() async throws {
        try await withTemporaryDirectory { folder in
            let store = try makeStore(folder)
            let shared = randomBytes(4 * testChunkSize, seed: 1)
            let zeros = [UInt8](repeating: 0, count: 2 * testChunkSize)
            let first = MemorySource(shared + zeros + randomBytes(testChunkSize, seed: 2))
            let second = MemorySource(shared + randomBytes(testChunkSize, seed: 3) + zeros)
            let writer = BackupWriter(store: store)
            let a = try await writer.write(project: "default", instance: "web-1", disks: ["root": first])
            let b = try await writer.write(project: "other", instance: "web-2", disks: ["root": second])
            #expect(a.stats.chunksNew == 5)
            #expect(a.stats.chunksZero == 2)
            #expect(b.stats.chunksReused == 4)
            #expect(b.stats.chunksNew == 1)
            #expect(b.stats.bytesNew == UInt64(testChunkSize))
            #expect(try chunkFiles(store).count == 6)
            #expect(a.disks[0].chunks[4] == .zero && a.disks[0].chunks[5] == .zero)
            #expect(Array(a.disks[0].chunks[0..<4]) == Array(b.disks[0].chunks[0..<4]))
        }
    }

    @Test("writers racing to store the same chunk store it once, and exactly one of them reports it new")
    func racingWriters() async throws {
        try await withTemporaryDirectory { folder in
            let store = try makeStore(folder)
            let bytes = randomBytes(testChunkSize, seed: 77)
            let results = try await withThrowingTaskGroup(of: ChunkStore.PutResult.self) { group in
                for _ in 0..<8 { group.addTask { try store.put(bytes) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(results.filter { if case .new = $0 { true } else { false } }.count == 1)
            #expect(Set(results.map(\.ref)).count == 1)
            #expect(try chunkFiles(store).count == 1)
            #expect(try FileManager.default.contentsOfDirectory(atPath: store.layout.temporaryFolder).isEmpty)
        }
    }

    @Test("a backup id is never written twice")
    func duplicateID() async throws {
        try await withTemporaryDirectory { folder in
            let store = try makeStore(folder)
            let writer = BackupWriter(store: store)
            let id = try BackupID("20261122T101500Z-000001")
            let source = MemorySource(randomBytes(100, seed: 1))
            _ = try await writer.write(project: "default", instance: "web-1", disks: ["root": source], id: id)
            await #expect(throws: JoistError.self) {
                try await writer.write(project: "default", instance: "web-1", disks: ["root": source], id: id)
            }
        }
    }

    @Test("manifests round-trip through JSON and list per instance, oldest first")
    func manifests() async throws {
        try await withTemporaryDirectory { folder in
            let store = try makeStore(folder)
            let writer = BackupWriter(store: store)
            let source = MemorySource(randomBytes(testChunkSize + 100, seed: 9))
            let early = Date(timeIntervalSince1970: 1_800_000_000)
            let one = try await writer.write(project: "default", instance: "web-1", disks: ["root": source], createdAt: early)
            let two = try await writer.write(
                project: "default", instance: "web-1", disks: ["root": source], createdAt: early.addingTimeInterval(60))
            _ = try await writer.write(project: "default", instance: "db", disks: ["data": source], createdAt: early)
            #expect(try store.manifest(project: "default", instance: "web-1", id: one.id) == one)
            #expect(try store.manifests(instance: "web-1").manifests.map(\.id) == [one.id, two.id])
            #expect(try store.manifests().manifests.count == 3)
            #expect(one.id.value.hasPrefix("20270115T"))
            let text = try String(contentsOfFile: store.layout.manifestFile(project: "default", instance: "web-1", id: one.id), encoding: .utf8)
            #expect(text.contains("\"version\" : 1"))
            #expect(text.contains("\"kind\" : \"full\""))
        }
    }

    @Test("a folder with other files in it is not made a store")
    func refusesForeignFolder() async throws {
        try await withTemporaryDirectory { folder in
            try Data("hello".utf8).write(to: URL(fileURLWithPath: folder + "/notes.txt"))
            #expect(throws: JoistError.self) { try ChunkStore.openOrCreate(folder) }
            #expect(try ChunkStore.open(folder) == nil)
        }
    }

    @Test("an existing store opens with the chunk size it was made with")
    func reopen() async throws {
        try await withTemporaryDirectory { folder in
            _ = try ChunkStore.openOrCreate(folder + "/s", chunkSize: 1 << 16)
            let again = try ChunkStore.openOrCreate(folder + "/s")
            #expect(again.chunkSize == 1 << 16)
        }
    }

    @Test("a chunk name from a manifest must be a SHA-256 in hex")
    func chunkNames() {
        #expect(ChunkID(hex: String(repeating: "a", count: 64)) != nil)
        #expect(ChunkID(hex: String(repeating: "A", count: 64)) == nil)
        #expect(ChunkID(hex: "../" + String(repeating: "a", count: 61)) == nil)
        #expect(ChunkID(hex: "abc") == nil)
    }
}
