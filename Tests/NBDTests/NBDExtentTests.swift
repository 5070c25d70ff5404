import Testing

@testable import NBD

@Suite("NBD extents: collecting partial answers and merging")
struct NBDExtentTests {
    @Test("answers that stop early are continued; the last extent is clamped to the range")
    func continuation() throws {
        var collector = NBDExtentCollector(start: 4096, end: 4096 + 300_000)
        try collector.add([(65536, 1), (65536, 1)], from: 4096)
        #expect(!collector.isComplete && collector.covered == 4096 + 131_072)
        try collector.add([(100_000, 0), (1 << 30, 1)], from: collector.covered)
        #expect(collector.isComplete)
        #expect(collector.extents.merged() == [
            NBDExtent(offset: 4096, length: 131_072, flags: 1),
            NBDExtent(offset: 4096 + 131_072, length: 100_000, flags: 0),
            NBDExtent(offset: 4096 + 231_072, length: 68_928, flags: 1),
        ])
    }

    @Test("an answer overlapping what is known adds only the new part; a gap or an empty extent is refused")
    func overlapAndGaps() throws {
        var collector = NBDExtentCollector(start: 0, end: 1000)
        try collector.add([(400, 2)], from: 0)
        try collector.add([(300, 2), (300, 0)], from: 200)
        #expect(collector.extents == [NBDExtent(offset: 0, length: 400, flags: 2), NBDExtent(offset: 400, length: 100, flags: 2),
                                      NBDExtent(offset: 500, length: 300, flags: 0)])
        #expect(throws: NBDError.self) { try collector.add([(10, 0)], from: 900) }
        #expect(throws: NBDError.self) { try collector.add([(0, 0)], from: 800) }
        #expect(throws: NBDError.self) { try collector.add([], from: 800) }
    }

    @Test("merging joins touching runs of equal flags; `having` keeps the flagged ones")
    func merging() {
        let extents = [
            NBDExtent(offset: 0, length: 10, flags: 1), NBDExtent(offset: 10, length: 5, flags: 1),
            NBDExtent(offset: 15, length: 5, flags: 0), NBDExtent(offset: 20, length: 0, flags: 1),
            NBDExtent(offset: 20, length: 5, flags: 3), NBDExtent(offset: 25, length: 5, flags: 1),
        ]
        #expect(extents.merged().count == 4)
        #expect(extents.having(1) == [NBDExtent(offset: 0, length: 15, flags: 1), NBDExtent(offset: 20, length: 5, flags: 3),
                                     NBDExtent(offset: 25, length: 5, flags: 1)])
    }
}
