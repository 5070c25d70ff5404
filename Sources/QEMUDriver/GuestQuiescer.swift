public import JoistCore

/// Freezes a guest's filesystems around the moment a backup or a disk snapshot captures its disks,
/// so what is captured is what the guest's filesystems agree with (through the guest agent's
/// `guest-fsfreeze-freeze`). Without that, the capture is crash-consistent: what a power cut at that
/// moment would have left.
public protocol GuestQuiescer: Sendable {
    /// Returns once the guest's filesystems are frozen, or once it is clear they will not be (the
    /// answer says which, and why not). A throw aborts the capture; a quiescer that would rather go on
    /// crash-consistent returns `.notFrozen` instead.
    func freeze() async throws -> FilesystemFreeze
    /// Thaws the filesystems; called whenever `freeze` returned, whatever happened in between.
    func thaw() async
}

extension GuestQuiescer {
    /// Runs `body` (the capture) between `freeze` and `thaw`: thawed right after, also when `body` throws.
    public func whileFrozen<T: Sendable>(_ body: () async throws -> T) async throws -> (result: T, freeze: FilesystemFreeze) {
        let freeze = try await freeze()
        let result: T
        do {
            result = try await body()
        } catch {
            await thaw()
            throw error
        }
        await thaw()
        return (result, freeze)
    }
}
