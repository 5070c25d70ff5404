public import JoistCore
public import QMP

/// A point in a disk's history that a backup read up to: from it on, a persistent dirty bitmap on the
/// disk's qcow2 records every block the guest writes, so the next backup reads only those.
///
/// The bitmap is named after the checkpoint (`joist-ID`), so the bitmap on a disk says which backup it
/// counts from; a caller asking for changes since checkpoint X gets them only when the bitmap named
/// for X is there and trustworthy.
public struct BackupCheckpoint: Sendable, Hashable, CustomStringConvertible {
    public let id: String

    /// The prefix of the bitmaps Joist owns; others on the disk (a user's) are left alone.
    public static let bitmapPrefix = "joist-"

    /// - Throws: `invalidArgument` unless `id` is 1–64 letters, digits, `.`, `_` or `-`.
    public init(_ id: String) throws(JoistError) {
        let allowed = id.utf8.allSatisfy { byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "-")
                || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".")
        }
        guard (1...64).contains(id.utf8.count), allowed else {
            throw .invalidArgument("invalid backup checkpoint \"\(id)\": use 1 to 64 letters, digits, '.', '_' or '-'")
        }
        self.id = id
    }

    /// The dirty bitmap that records writes since this checkpoint.
    public var bitmapName: String { Self.bitmapPrefix + id }

    public var description: String { id }
}

/// Which blocks of a disk a backup must read.
public enum ChangeTracking: Sendable, Equatable {
    /// Only those the export's dirty bitmap marks: they changed since `checkpoint`.
    case since(BackupCheckpoint)
    /// Every block, and why (no earlier backup, or the bitmap since it cannot be trusted).
    case full(reason: String)

    /// The base checkpoint, when the backup is incremental.
    public var base: BackupCheckpoint? {
        if case .since(let checkpoint) = self { checkpoint } else { nil }
    }

    /// Decides from the bitmaps on a disk whether changes since `previous` are known. Anything doubtful
    /// means a full read: a missed change would make every later backup silently wrong.
    ///
    /// - Throws: `invalidState` when the bitmap is in use: another backup of the disk is running.
    public static func decide(
        previous: BackupCheckpoint?, format: DiskFormat, bitmaps: [QMPDirtyBitmap]
    ) throws(JoistError) -> ChangeTracking {
        guard format == .qcow2 else {
            return .full(reason: "a \(format.rawValue) image keeps no dirty bitmap: only full backups")
        }
        guard let previous else { return .full(reason: "no earlier backup to count changes from") }
        guard let bitmap = bitmaps.first(where: { $0.name == previous.bitmapName }) else {
            return .full(
                reason: "the disk has no record of changes since backup \(previous) (the image was replaced, moved or restored)")
        }
        if bitmap.busy {
            throw .invalidState("the change record since backup \(previous) is in use: another backup of this disk is running")
        }
        if bitmap.inconsistent {
            return .full(reason: "the change record since backup \(previous) is unreliable: QEMU stopped without saving it")
        }
        if !bitmap.recording {
            return .full(reason: "the change record since backup \(previous) stopped recording (a backup was interrupted)")
        }
        return .since(previous)
    }
}
