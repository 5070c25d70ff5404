/// A byte range of a disk: what a dirty bitmap reports as changed since the last backup.
public struct DiskExtent: Hashable, Sendable, Codable, CustomStringConvertible {
    public var offset: UInt64
    public var length: UInt64

    public init(offset: UInt64, length: UInt64) {
        self.offset = offset
        self.length = length
    }

    /// The first byte past the extent.
    public var end: UInt64 { offset + length }

    public var description: String { "\(offset)+\(length)" }
}

/// Which fixed-size chunks of a disk a backup must read. Pure.
public enum ChunkPlan {
    /// How many chunks of `chunkSize` cover a disk of `size` bytes (the last one may be shorter).
    public static func count(size: UInt64, chunkSize: Int) -> Int {
        Int((size + UInt64(chunkSize) - 1) / UInt64(chunkSize))
    }

    /// The byte range of chunk `index`: `chunkSize` bytes, or what is left of the disk for the last.
    public static func range(of index: Int, size: UInt64, chunkSize: Int) -> DiskExtent {
        let offset = UInt64(index) * UInt64(chunkSize)
        return DiskExtent(offset: offset, length: min(UInt64(chunkSize), size - offset))
    }

    /// The indexes of the chunks that `extents` touch, sorted, each once. Parts of extents beyond the
    /// disk's end are ignored; empty extents touch nothing.
    public static func chunks(touching extents: [DiskExtent], size: UInt64, chunkSize: Int) -> [Int] {
        let total = count(size: size, chunkSize: chunkSize)
        var touched = [Bool](repeating: false, count: total)
        let width = UInt64(chunkSize)
        for extent in extents where extent.length > 0 && extent.offset < size {
            let first = Int(extent.offset / width)
            // Clamped before adding, so a huge length cannot overflow.
            let stop = extent.length >= size - extent.offset ? size : extent.offset + extent.length
            let last = Int((stop - 1) / width)
            for index in first...last { touched[index] = true }
        }
        return touched.indices.filter { touched[$0] }
    }

    /// The indexes of the chunks that lie wholly inside `extents` (which may be unsorted, overlapping
    /// or adjacent), sorted, each once. The disk's last chunk counts as inside when the extents cover
    /// it up to the disk's end.
    public static func chunks(within extents: [DiskExtent], size: UInt64, chunkSize: Int) -> [Int] {
        let width = UInt64(chunkSize)
        var inside: [Int] = []
        var covered: (start: UInt64, end: UInt64)?
        func take(_ run: (start: UInt64, end: UInt64)) {
            let end = min(run.end, size)
            guard run.start < end else { return }
            let first = (run.start + width - 1) / width
            // Chunks wholly inside end at a chunk boundary at or before `end`, or at the disk's end.
            let stop = end == size ? (size + width - 1) / width : end / width
            if first < stop { inside += (Int(first)..<Int(stop)) }
        }
        for extent in extents.sorted(by: { $0.offset < $1.offset }) where extent.length > 0 && extent.offset < size {
            let end = extent.length >= size - extent.offset ? size : extent.offset + extent.length
            if let run = covered, extent.offset <= run.end {
                covered = (run.start, max(run.end, end))
            } else {
                if let run = covered { take(run) }
                covered = (extent.offset, end)
            }
        }
        if let run = covered { take(run) }
        return inside
    }
}
