import Foundation
public import JoistAPI

/// What a running backup notes in its instance's backup folder (`in-progress.json`) before it asks
/// QEMU for anything, and removes when it has ended: if the daemon dies meanwhile, the next daemon
/// finds the note and knows what to take down, which bitmaps to settle, which manifest (if it was
/// written) cannot be trusted, and which operation to report as failed.
public struct BackupInProgress: Codable, Sendable, Equatable {
    public struct Disk: Codable, Sendable, Equatable {
        /// The disk's source as users name it (a path or `POOL/NAME`).
        public var source: String
        /// The checkpoint the backup counted changes from (the parent's), if any.
        public var base: String?
    }

    /// The backup's id, which is also its checkpoint's.
    public var backup: String
    /// The folder of the store it was written into.
    public var storePath: String
    /// The disk snapshot taken with it, if asked for.
    public var snapshot: String?
    public var disks: [Disk]
    /// The operation that ran it, as it was when it started.
    public var operation: JoistAPI.Operation?

    static let fileName = "in-progress.json"

    /// Writes the note into `folder`, replacing any older one.
    func write(into folder: String) throws {
        try AtomicFile.write(try APICoding.encoder().encode(self), to: folder + "/" + Self.fileName)
    }

    /// The note in `folder`, or nil when there is none. An unreadable note reads as nil: there is
    /// then nothing to settle but what the folder holds.
    static func read(from folder: String) -> BackupInProgress? {
        guard let data = FileManager.default.contents(atPath: folder + "/" + fileName) else { return nil }
        return try? APICoding.decoder().decode(Self.self, from: data)
    }
}
