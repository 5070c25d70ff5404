import Backup
import Foundation
import JoistTesting
import Testing

@Suite("zstd frames of stored (uncompressed) blocks, for chunks that do not compress")
struct ZstdStoredFrameTests {
    @Test(
        "a stored frame decompresses to its bytes with libzstd, at and around block boundaries",
        arguments: [0, 1, (128 << 10) - 1, 128 << 10, (128 << 10) + 1, 4 << 20])
    func roundTrip(count: Int) throws {
        let bytes = randomBytes(count, seed: UInt64(count))
        let frame = bytes.withUnsafeBytes { Zstd.storedFrame($0) }
        #expect(frame.count == 9 + 3 * max(1, (count + (128 << 10) - 1) / (128 << 10)) + count)
        #expect(try Zstd.decompress(frame, maxSize: count) == bytes)
    }

    @Test("the zstd tool reads a stored frame too")
    func zstdTool() async throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/zstd") else { return }
        try await withTemporaryDirectory { folder in
            let bytes = randomBytes(300_000, seed: 9)
            try Data(bytes.withUnsafeBytes { Zstd.storedFrame($0) }).write(to: URL(fileURLWithPath: folder + "/chunk.zst"))
            let result = try await CommandRunner.run("/usr/bin/zstd", ["-d", "-q", folder + "/chunk.zst", "-o", folder + "/chunk"])
            #expect(result.succeeded, "\(result)")
            #expect(try [UInt8](Data(contentsOf: URL(fileURLWithPath: folder + "/chunk"))) == bytes)
        }
    }

    @Test("random bytes look incompressible; repetitive bytes, or random bytes with zeros in between, do not")
    func incompressible() {
        let random = randomBytes(1 << 20, seed: 1)
        let mixed = randomBytes(1 << 19, seed: 2) + [UInt8](repeating: 0, count: 1 << 19)
        let text = [UInt8](String(repeating: "the quick brown fox jumps over the lazy dog ", count: 30_000).utf8)
        #expect(random.withUnsafeBytes { Zstd.looksIncompressible($0) })
        #expect(!mixed.withUnsafeBytes { Zstd.looksIncompressible($0) })
        #expect(!text.withUnsafeBytes { Zstd.looksIncompressible($0) })
        #expect(!randomBytes(1000, seed: 3).withUnsafeBytes { Zstd.looksIncompressible($0) }, "too small to sample")
    }

    @Test("an incompressible chunk is stored in a stored frame that reads back; a compressible one is compressed")
    func store() async throws {
        try await withTemporaryDirectory { folder in
            let store = try ChunkStore.openOrCreate(folder + "/store", chunkSize: 1 << 20)
            let random = randomBytes(1 << 20, seed: 4)
            guard case .new(let id, let stored) = try store.put(random) else {
                Issue.record("not stored")
                return
            }
            #expect(stored == 9 + 3 * 8 + (1 << 20))
            #expect(try store.read(id) == random)
            guard case .new(_, let small) = try store.put([UInt8](repeating: 5, count: 1 << 20)) else {
                Issue.record("not stored")
                return
            }
            #expect(small < 1000)
        }
    }
}
