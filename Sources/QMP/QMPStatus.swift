/// The run state of the guest, from QMP `query-status`.
public struct QMPStatus: Sendable, Hashable {
    /// Whether the virtual CPUs are running.
    public let running: Bool
    /// QEMU's run state (`"running"`, `"paused"`, `"prelaunch"`, `"shutdown"`, `"guest-panicked"`, …).
    public let status: String

    /// Creates a status.
    public init(running: Bool, status: String) {
        self.running = running
        self.status = status
    }
}
