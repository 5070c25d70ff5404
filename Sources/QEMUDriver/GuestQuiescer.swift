/// Freezes a guest's filesystems around the point-in-time step of a backup, so the moment captured is
/// one the guest's filesystems agree with (through the guest agent's `guest-fsfreeze-freeze`). Without
/// one, the backup is crash-consistent: what a power cut at that moment would have left.
public protocol GuestQuiescer: Sendable {
    /// Returns once the guest's filesystems are frozen; a failure aborts the backup's setup (a
    /// quiescer that would rather go on crash-consistent returns normally instead).
    func freeze() async throws
    /// Thaws the filesystems; called whenever `freeze` returned, whatever happened in between.
    func thaw() async
}
