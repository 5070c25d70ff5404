import Backup
import Testing

@Suite("Which chunks a full backup may skip as zeros")
struct ZeroExtentPlanTests {
    @Test(
        "chunks wholly inside the zero extents, on a 10,000-byte disk of 4096-byte chunks",
        arguments: [
            ([DiskExtent(offset: 0, length: 4096)], [0]),
            ([DiskExtent(offset: 0, length: 4095)], []),
            ([DiskExtent(offset: 1, length: 8190)], []),
            ([DiskExtent(offset: 1, length: 8192)], [1]),
            // Adjacent and overlapping extents, unsorted, join into one run.
            ([DiskExtent(offset: 4096, length: 2000), DiskExtent(offset: 0, length: 4096), DiskExtent(offset: 5000, length: 3192)], [0, 1]),
            // The short last chunk is inside when the run reaches the disk's end (or beyond it).
            ([DiskExtent(offset: 8192, length: 1808)], [2]),
            ([DiskExtent(offset: 8192, length: 1807)], []),
            ([DiskExtent(offset: 0, length: UInt64.max)], [0, 1, 2]),
            ([DiskExtent(offset: 20_000, length: 10), DiskExtent(offset: 0, length: 0)], []),
        ])
    func within(extents: [DiskExtent], expected: [Int]) {
        #expect(ChunkPlan.chunks(within: extents, size: 10_000, chunkSize: 4096) == expected)
    }
}
