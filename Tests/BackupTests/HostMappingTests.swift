import Backup
import Testing

@Suite("Where a disk's ranges lie in its image files")
struct HostMappingTests {
    typealias Extent = HostMapping.Extent

    let mapping = HostMapping(
        extents: [
            Extent(start: 0, length: 100, place: .file(layer: 0, offset: 1000)),
            Extent(start: 100, length: 50, place: .file(layer: 0, offset: 1100)),
            Extent(start: 150, length: 50, place: .zero),
            Extent(start: 200, length: 100, place: .file(layer: 1, offset: 0)),
            Extent(start: 300, length: 20, place: .elsewhere),
            Extent(start: 320, length: 80, place: .zero),
        ], size: 400)!

    @Test("a listing with a gap, an overlap, an empty run or the wrong end is refused")
    func refusesBadListings() {
        let gap = [Extent(start: 0, length: 10, place: .zero), Extent(start: 11, length: 9, place: .zero)]
        let overlap = [Extent(start: 0, length: 10, place: .zero), Extent(start: 9, length: 11, place: .zero)]
        let empty = [Extent(start: 0, length: 0, place: .zero), Extent(start: 0, length: 20, place: .zero)]
        #expect(HostMapping(extents: gap, size: 20) == nil)
        #expect(HostMapping(extents: overlap, size: 20) == nil)
        #expect(HostMapping(extents: empty, size: 20) == nil)
        #expect(HostMapping(extents: [Extent(start: 0, length: 10, place: .zero)], size: 20) == nil)
        #expect(HostMapping(extents: [Extent(start: 0, length: 30, place: .zero)], size: 20) == nil)
        #expect(HostMapping(extents: [Extent(start: 0, length: 20, place: .zero)], size: 20) != nil)
    }

    @Test("pieces start at the read's offset, keep file offsets in step, and join runs that continue each other")
    func pieces() {
        #expect(
            mapping.pieces(offset: 50, length: 200) == [
                Extent(start: 50, length: 100, place: .file(layer: 0, offset: 1050)),
                Extent(start: 150, length: 50, place: .zero),
                Extent(start: 200, length: 50, place: .file(layer: 1, offset: 0)),
            ])
        #expect(mapping.pieces(offset: 210, length: 5) == [Extent(start: 210, length: 5, place: .file(layer: 1, offset: 10))])
        #expect(
            mapping.pieces(offset: 290, length: 110) == [
                Extent(start: 290, length: 10, place: .file(layer: 1, offset: 90)),
                Extent(start: 300, length: 20, place: .elsewhere),
                Extent(start: 320, length: 80, place: .zero),
            ])
    }

    @Test("runs that are adjacent in the disk but not in the file stay apart")
    func discontiguousFileRuns() {
        let split = HostMapping(
            extents: [
                Extent(start: 0, length: 10, place: .file(layer: 0, offset: 500)),
                Extent(start: 10, length: 10, place: .file(layer: 0, offset: 100)),
            ], size: 20)!
        #expect(split.pieces(offset: 0, length: 20).count == 2)
    }

    @Test("the zero runs are the ranges a full backup need not read")
    func zeroExtents() {
        #expect(mapping.zeroExtents == [DiskExtent(offset: 150, length: 50), DiskExtent(offset: 320, length: 80)])
    }
}
