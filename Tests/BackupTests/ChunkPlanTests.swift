import Backup
import Testing

@Suite("Which chunks a backup reads")
struct ChunkPlanTests {
    @Test(
        "chunk counts cover the disk, the last chunk may be short",
        arguments: [(UInt64(0), 0), (1, 1), (4096, 1), (4097, 2), (8192, 2), (8193, 3)])
    func count(size: UInt64, expected: Int) {
        #expect(ChunkPlan.count(size: size, chunkSize: 4096) == expected)
    }

    @Test("the last chunk's range ends at the disk's end")
    func lastRange() {
        #expect(ChunkPlan.range(of: 2, size: 10_000, chunkSize: 4096) == DiskExtent(offset: 8192, length: 1808))
        #expect(ChunkPlan.range(of: 0, size: 10_000, chunkSize: 4096) == DiskExtent(offset: 0, length: 4096))
    }

    @Test(
        "extents touch the chunks they overlap",
        arguments: [
            ([DiskExtent(offset: 0, length: 1)], [0]),
            ([DiskExtent(offset: 4095, length: 2)], [0, 1]),
            ([DiskExtent(offset: 4096, length: 4096)], [1]),
            ([DiskExtent(offset: 100, length: 0)], []),
            ([DiskExtent(offset: 9000, length: 5000)], [2]),
            ([DiskExtent(offset: 20_000, length: 10)], []),
            ([DiskExtent(offset: 5000, length: 1), DiskExtent(offset: 0, length: 1), DiskExtent(offset: 5001, length: 1)], [0, 1]),
            ([DiskExtent(offset: 1, length: UInt64.max - 1)], [0, 1, 2]),
        ])
    func touching(extents: [DiskExtent], expected: [Int]) {
        #expect(ChunkPlan.chunks(touching: extents, size: 10_000, chunkSize: 4096) == expected)
    }
}
