import Backup
import Foundation
import JoistCore

/// A disk held in memory, with the changes a dirty bitmap would report, and an optional failure
/// after a number of reads (a source that dies mid-backup, as a crashed QEMU or daemon would).
final class MemorySource: BackupSource, @unchecked Sendable {
    // @unchecked: the writer reads one call at a time (BackupSource's contract), and tests look at
    // `reads` only after the backup ended.
    let bytes: [UInt8]
    let changed: [DiskExtent]?
    let failAfterReads: Int?
    private(set) var reads: [DiskExtent] = []

    init(_ bytes: [UInt8], changed: [DiskExtent]? = nil, failAfterReads: Int? = nil) {
        self.bytes = bytes
        self.changed = changed
        self.failAfterReads = failAfterReads
    }

    var size: UInt64 { UInt64(bytes.count) }

    func changedExtents() async throws -> [DiskExtent]? { changed }

    func read(offset: UInt64, length: Int) async throws -> [UInt8] {
        if let failAfterReads, reads.count >= failAfterReads { throw SimulatedCrash() }
        reads.append(DiskExtent(offset: offset, length: UInt64(length)))
        return Array(bytes[Int(offset)..<Int(offset) + length])
    }
}

struct SimulatedCrash: Error {}

/// Deterministic pseudo-random bytes (xorshift), so data does not compress away and tests repeat.
func randomBytes(_ count: Int, seed: UInt64) -> [UInt8] {
    // Spread the seed (seeds 2 and 3 must not start alike), and never start at zero.
    var state = ((seed &+ 1) &* 0x9E37_79B9_7F4A_7C15) | 1
    var bytes = [UInt8](repeating: 0, count: count)
    for index in 0..<count {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        bytes[index] = UInt8(truncatingIfNeeded: state)
    }
    return bytes
}

/// Small chunks keep tests fast; the store's logic does not depend on the size.
let testChunkSize = 64 << 10

func makeStore(_ folder: String) throws -> ChunkStore {
    try ChunkStore.openOrCreate(folder + "/store", chunkSize: testChunkSize)
}

/// The files under the store's `chunks/`, as names.
func chunkFiles(_ store: ChunkStore) throws -> Set<String> {
    Set(try store.storedChunks().map(\.id.hex))
}
