import Backup
import NBD

/// A disk exported over NBD for a backup, as the backup writer reads it: the Backup module knows
/// nothing of NBD and the NBD module nothing of backups, so the two meet here.
struct NBDBackupSource: BackupSource {
    let reader: NBDDiskReader
    /// The checkpoint the point-in-time session sets on the disk; nil for an image that keeps no
    /// dirty bitmap (raw), which the next backup must read whole again.
    let checkpoint: String?
    private let readAhead: NBDReadAhead

    init(reader: NBDDiskReader, checkpoint: String?) {
        self.reader = reader
        self.checkpoint = checkpoint
        self.readAhead = NBDReadAhead(reader: reader)
    }

    var size: UInt64 { reader.size }

    func changedExtents() async throws -> [DiskExtent]? {
        try await reader.changedExtents()?.map { DiskExtent(offset: $0.offset, length: $0.length) }
    }

    func zeroExtents() async throws -> [DiskExtent]? {
        try await reader.zeroExtents().map { DiskExtent(offset: $0.offset, length: $0.length) }
    }

    func willRead(_ ranges: [DiskExtent]) {
        readAhead.plan(ranges)
    }

    func read(offset: UInt64, length: Int) async throws -> [UInt8] {
        try await readAhead.read(offset: offset, length: length)
    }
}
