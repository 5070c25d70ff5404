/// Where a backup reads one disk from: a raw file of a stopped instance, or (for a running guest) a
/// point-in-time NBD export of the disk with a dirty bitmap that says what changed since the last
/// backup.
///
/// The writer calls `size` and `changedExtents` once, then `read` in increasing offset order, one
/// call at a time, each for at most one chunk and never past `size`.
public protocol BackupSource: Sendable {
    /// The disk's virtual size in bytes, fixed for the life of the source.
    var size: UInt64 { get }

    /// The byte ranges that changed since the backup the writer was given as parent, or nil when that
    /// is not known (no bitmap, a bitmap lost in a crash or not matching that parent): then the writer
    /// reads the whole disk. Returning a list promises that every byte outside it equals the parent's
    /// copy; a source that cannot promise that must return nil.
    func changedExtents() async throws -> [DiskExtent]?

    /// Byte ranges known to read as zeros (unallocated or zeroed in the image), or nil when the
    /// source cannot tell. A full backup records the chunks wholly inside them as zero chunks without
    /// reading them. Returning a range promises that every byte in it reads as zero.
    func zeroExtents() async throws -> [DiskExtent]?

    /// The ranges the writer is about to read, in the order it reads them (once per disk, before the
    /// first `read`): a source may fetch ahead. A hint only; the default ignores it.
    func willRead(_ ranges: [DiskExtent])

    /// Exactly `length` bytes at `offset` (the view frozen when the backup began).
    func read(offset: UInt64, length: Int) async throws -> [UInt8]

    /// The change-tracking checkpoint reading this source sets on the disk, recorded in the manifest
    /// so the next backup asks for the changes since it; nil when the disk keeps none.
    var checkpoint: String? { get }
}

extension BackupSource {
    public var checkpoint: String? { nil }

    public func zeroExtents() async throws -> [DiskExtent]? { nil }

    public func willRead(_ ranges: [DiskExtent]) {}
}
