public import Logging

/// A disk as a backup reads it: its size, its bytes, and which extents changed since the last backup
/// (from the export's dirty bitmap), over one NBD connection.
public struct NBDDiskReader: Sendable {
    public let client: NBDClient
    /// The `qemu:dirty-bitmap:NAME` context whose dirty extents are the changes; nil when every block
    /// must be read.
    public let dirtyBitmapContext: String?

    /// Connects to export `exportName` on the Unix socket at `socketPath`, with the allocation context
    /// and, when given, the dirty bitmap's.
    public static func open(
        socketPath: String, exportName: String, dirtyBitmapContext: String?, logger: Logger
    ) async throws -> NBDDiskReader {
        let contexts = [NBDMetaContext.allocation] + (dirtyBitmapContext.map { [$0] } ?? [])
        let client = try await NBDClient.connect(to: .unix(path: socketPath), export: exportName, metaContexts: contexts, logger: logger)
        return NBDDiskReader(client: client, dirtyBitmapContext: dirtyBitmapContext)
    }

    /// The disk's size in bytes.
    public var size: UInt64 { client.export.size }

    /// `length` bytes at `offset`; holes read as zeroes.
    public func read(offset: UInt64, length: Int) async throws -> [UInt8] {
        try await client.read(offset: offset, length: length)
    }

    /// The extents that changed since the base checkpoint, merged and in order; nil when the backup
    /// must read the whole disk (no trustworthy bitmap).
    public func changedExtents() async throws -> [NBDExtent]? {
        guard let context = dirtyBitmapContext else { return nil }
        return try await client.blockStatus(context: context).having(NBDMetaContext.stateDirty)
    }

    /// The extents that hold data (not holes), merged: a full backup may skip the rest, which reads as zeroes.
    public func allocatedExtents() async throws -> [NBDExtent] {
        try await client.blockStatus(context: NBDMetaContext.allocation).filter { $0.flags & NBDMetaContext.stateHole == 0 }
            .map { NBDExtent(offset: $0.offset, length: $0.length, flags: 0) }.merged()
    }

    /// The extents the server says read as zeros (`NBD_STATE_ZERO` in `base:allocation`), merged: a
    /// full backup need not read them.
    public func zeroExtents() async throws -> [NBDExtent] {
        try await client.blockStatus(context: NBDMetaContext.allocation).having(NBDMetaContext.stateZero)
    }

    /// Ends the connection.
    public func close() async {
        await client.close()
    }
}
