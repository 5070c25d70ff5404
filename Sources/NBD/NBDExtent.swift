/// A run of bytes of an export that share one status in a meta context.
public struct NBDExtent: Sendable, Hashable, CustomStringConvertible {
    public var offset: UInt64
    public var length: UInt64
    /// The context's status bits (`NBDMetaContext.stateHole`, `.stateZero`, `.stateDirty`).
    public var flags: UInt32

    public init(offset: UInt64, length: UInt64, flags: UInt32) {
        self.offset = offset
        self.length = length
        self.flags = flags
    }

    /// The first byte after the extent.
    public var end: UInt64 { offset + length }

    public var description: String { "\(offset)+\(length):\(flags)" }
}

extension [NBDExtent] {
    /// The extents with adjacent runs of equal flags joined into one.
    public func merged() -> [NBDExtent] {
        var result: [NBDExtent] = []
        for extent in self where extent.length > 0 {
            if var last = result.last, last.end == extent.offset, last.flags == extent.flags {
                last.length += extent.length
                result[result.count - 1] = last
            } else {
                result.append(extent)
            }
        }
        return result
    }

    /// The (merged) extents whose flags contain `bits`: dirty extents of a bitmap, holes of an allocation map.
    public func having(_ bits: UInt32) -> [NBDExtent] {
        filter { $0.flags & bits == bits }.merged()
    }
}

/// Collects the extents of one context over a range, from block status replies that may each cover
/// only part of it (the server answers at least one extent and may stop early), so the client asks
/// again from where the last answer ended.
///
/// Extents are clamped to the range (the protocol lets the last extent run past the request); an
/// answer that covers nothing new is an error, so a misbehaving server cannot make the client loop.
struct NBDExtentCollector: Sendable, Equatable {
    let start: UInt64
    let end: UInt64
    /// Everything before this offset is known.
    private(set) var covered: UInt64
    private(set) var extents: [NBDExtent] = []

    init(start: UInt64, end: UInt64) {
        self.start = start
        self.end = end
        covered = start
    }

    /// Whether the whole range is known.
    var isComplete: Bool { covered >= end }

    /// Adds the descriptors (length, flags) of a reply to a request that started at `offset`.
    mutating func add(_ descriptors: [(length: UInt32, flags: UInt32)], from offset: UInt64) throws(NBDError) {
        guard !descriptors.isEmpty else { throw .protocolViolation("block status reply with no extent") }
        guard offset <= covered else {
            throw .protocolViolation("block status from \(offset) leaves a gap after \(covered)")
        }
        var position = offset
        for descriptor in descriptors {
            guard descriptor.length > 0 else { throw .protocolViolation("block status extent of length 0") }
            let extentEnd = Swift.min(position + UInt64(descriptor.length), end)
            if extentEnd > covered {
                let from = Swift.max(position, covered)
                extents.append(NBDExtent(offset: from, length: extentEnd - from, flags: descriptor.flags))
                covered = extentEnd
            }
            position += UInt64(descriptor.length)
            if position >= end { break }
        }
    }
}
