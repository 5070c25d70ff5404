/// Where a disk's contents lie in the files of its image chain on the host: which ranges read as
/// zeros, which are stored plainly at an offset of one layer's file, and which only the image's
/// driver can read (compressed clusters, say). Pure.
///
/// A backup of a stopped disk reads the plain ranges straight from the files, which costs a copy out
/// of the page cache instead of a trip through an NBD server.
public struct HostMapping: Sendable, Equatable {
    /// What backs one range.
    public enum Place: Sendable, Equatable {
        case zero
        /// Stored as is in layer `layer`'s file, starting at byte `offset` of it.
        case file(layer: Int, offset: UInt64)
        /// Neither: read through the image's driver.
        case elsewhere
    }

    public struct Extent: Sendable, Equatable {
        public var start: UInt64
        public var length: UInt64
        public var place: Place

        public init(start: UInt64, length: UInt64, place: Place) {
            self.start = start
            self.length = length
            self.place = place
        }

        public var end: UInt64 { start + length }
    }

    /// Sorted, adjacent, covering the disk from 0 to its size.
    public let extents: [Extent]

    /// `extents` must be sorted and adjacent from 0 to `size`; anything else is refused, so a
    /// listing that skips a range can never make a backup read the wrong bytes.
    public init?(extents: [Extent], size: UInt64) {
        var position: UInt64 = 0
        for extent in extents {
            guard extent.start == position, extent.length > 0, extent.length <= size - position else { return nil }
            position = extent.end
        }
        guard position == size else { return nil }
        self.extents = extents
    }

    /// The ranges that read as zeros.
    public var zeroExtents: [DiskExtent] {
        extents.filter { $0.place == .zero }.map { DiskExtent(offset: $0.start, length: $0.length) }
    }

    /// `length` bytes at `offset`, split where the places change: each piece with where its first
    /// byte lies. Ranges past the disk's end are cut off.
    public func pieces(offset: UInt64, length: UInt64) -> [Extent] {
        let end = offset + length
        var lower = 0, upper = extents.count
        // The first extent ending after `offset`.
        while lower < upper {
            let middle = (lower + upper) / 2
            if extents[middle].end <= offset { lower = middle + 1 } else { upper = middle }
        }
        var pieces: [Extent] = []
        var index = lower
        while index < extents.count, extents[index].start < end {
            let extent = extents[index]
            let start = max(offset, extent.start)
            let stop = min(end, extent.end)
            var place = extent.place
            if case .file(let layer, let base) = place { place = .file(layer: layer, offset: base + (start - extent.start)) }
            if let last = pieces.last, last.end == start, Self.continues(last, place) {
                pieces[pieces.count - 1].length += stop - start
            } else {
                pieces.append(Extent(start: start, length: stop - start, place: place))
            }
            index += 1
        }
        return pieces
    }

    /// Whether a piece at `place` picks up exactly where `last` stops.
    private static func continues(_ last: Extent, _ place: Place) -> Bool {
        switch (last.place, place) {
        case (.zero, .zero), (.elsewhere, .elsewhere): return true
        case (.file(let layer, let offset), .file(let nextLayer, let nextOffset)): return layer == nextLayer && offset + last.length == nextOffset
        default: return false
        }
    }
}
