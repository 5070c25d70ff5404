public import Logging
public import NBD

extension DiskExport {
    /// Connects to this export, with its dirty bitmap's context when the backup is incremental.
    public func openReader(logger: Logger) async throws -> NBDDiskReader {
        try await NBDDiskReader.open(socketPath: socketPath, exportName: exportName, dirtyBitmapContext: dirtyBitmapContext, logger: logger)
    }
}
