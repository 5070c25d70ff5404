public import JoistCore

/// One disk exported over NBD for a backup: where to read it, how big it is, and which blocks to read.
public struct DiskExport: Sendable, Equatable {
    /// The disk as users name it.
    public var source: DiskSpec.Source
    /// The NBD server's Unix socket.
    public var socketPath: String
    /// The NBD export name.
    public var exportName: String
    /// The disk's size in bytes.
    public var size: Int64
    /// The checkpoint this backup establishes: the next backup counts changes from it, once this one succeeded.
    public var checkpoint: BackupCheckpoint
    /// Whether the backup may read only changed blocks (and since when), or must read everything.
    public var changes: ChangeTracking

    public init(
        source: DiskSpec.Source, socketPath: String, exportName: String, size: Int64, checkpoint: BackupCheckpoint, changes: ChangeTracking
    ) {
        self.source = source
        self.socketPath = socketPath
        self.exportName = exportName
        self.size = size
        self.checkpoint = checkpoint
        self.changes = changes
    }

    /// The NBD meta context whose dirty extents are the changes (`qemu:dirty-bitmap:joist-ID`), when incremental.
    public var dirtyBitmapContext: String? {
        changes.base.map { "qemu:dirty-bitmap:" + $0.bitmapName }
    }

    /// Whether the dirty bitmap can be trusted, so only its dirty extents need reading.
    public var bitmapValid: Bool { changes.base != nil }
}
