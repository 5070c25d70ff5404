/// Whether a running guest's filesystems were frozen (through its guest agent) while a backup or a
/// disk snapshot captured its disks: frozen, the captured disks are as after a clean sync; not
/// frozen, they are crash-consistent, as a power cut at that moment would have left them.
public struct FilesystemFreeze: Codable, Sendable, Equatable {
    /// Whether the filesystems were frozen at the moment of capture.
    public var frozen: Bool
    /// How many filesystems the agent froze (those that support freezing).
    public var filesystems: Int?
    /// Why they were not frozen (no agent answered, the agent refused, …).
    public var reason: String?

    public init(frozen: Bool, filesystems: Int? = nil, reason: String? = nil) {
        self.frozen = frozen
        self.filesystems = filesystems
        self.reason = reason
    }

    public static func frozen(_ filesystems: Int) -> FilesystemFreeze { FilesystemFreeze(frozen: true, filesystems: filesystems) }

    public static func notFrozen(_ reason: String) -> FilesystemFreeze { FilesystemFreeze(frozen: false, reason: reason) }

    /// One phrase for listings: "frozen (2 filesystems)" or "not frozen: REASON".
    public var summary: String {
        if frozen { return "frozen (\(filesystems ?? 0) filesystem\(filesystems == 1 ? "" : "s"))" }
        return "not frozen" + (reason.map { ": \($0)" } ?? "")
    }
}
