public import JoistCore

/// A disk to back up, and the checkpoint of its last backup that the store holds (nil: none, so the
/// backup reads everything).
public struct BackupDisk: Sendable, Equatable {
    public var source: DiskSpec.Source
    public var format: DiskFormat
    public var since: BackupCheckpoint?

    public init(source: DiskSpec.Source, format: DiskFormat, since: BackupCheckpoint? = nil) {
        self.source = source
        self.format = format
        self.since = since
    }

    /// The disk as the guest's QEMU opened it.
    public init(_ disk: AttachedDisk, since: BackupCheckpoint? = nil) {
        self.init(source: disk.source, format: disk.format, since: since)
    }
}
