import Backup
import Testing

@Suite("zstd through the system libzstd")
struct ZstdTests {
    @Test("compressing and decompressing gives back the bytes", arguments: [0, 1, 4096, 100_000])
    func roundTrip(count: Int) throws {
        let bytes = randomBytes(count, seed: 7) + [UInt8](repeating: 0x41, count: count)
        let frame = try Zstd.compress(bytes)
        #expect(try Zstd.decompress(frame, maxSize: bytes.count) == bytes)
    }

    @Test("repetitive data shrinks")
    func shrinks() throws {
        let frame = try Zstd.compress([UInt8](repeating: 7, count: 1 << 20))
        #expect(frame.count < 1024)
    }

    @Test("a frame larger than expected is refused before it is decompressed")
    func sizeLimit() throws {
        let frame = try Zstd.compress([UInt8](repeating: 1, count: 10_000))
        #expect(throws: ZstdError.self) { try Zstd.decompress(frame, maxSize: 9_999) }
    }

    @Test("garbage and damaged frames are errors, not crashes")
    func damaged() throws {
        #expect(throws: ZstdError.self) { try Zstd.decompress([1, 2, 3, 4, 5, 6, 7, 8], maxSize: 100) }
        var frame = try Zstd.compress(randomBytes(5000, seed: 3))
        frame.removeLast(10)
        #expect(throws: ZstdError.self) { try Zstd.decompress(frame, maxSize: 5000) }
    }

    @Test("the library version is known")
    func version() {
        #expect(Zstd.libraryVersion.hasPrefix("1."))
    }
}
