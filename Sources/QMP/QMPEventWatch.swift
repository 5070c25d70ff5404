import NIOCore

/// A watch for one QEMU event, armed before the command that causes it (see
/// `QMPClient.watchEvent(_:matching:)`), so an event that arrives before anyone waits is kept.
///
/// Wait for it once, or cancel it when the command failed and the event will never come.
public struct QMPEventWatch: Sendable {
    /// What the watch waits for, for messages ("DEVICE_DELETED for device disk-1").
    public let what: String

    private let token: Int
    private let waiters: QMPEventWaiters
    private let eventLoop: any EventLoop

    init(what: String, token: Int, waiters: QMPEventWaiters, eventLoop: any EventLoop) {
        self.what = what
        self.token = token
        self.waiters = waiters
        self.eventLoop = eventLoop
    }

    /// Returns the event once it arrived (at once if it already has).
    ///
    /// - Throws: `QMPError.timeout` when it does not arrive within `timeout`, `.disconnected` when the
    ///   connection closes first, `CancellationError` when the calling task or the watch is cancelled.
    public func wait(timeout: Duration) async throws -> QMPEvent {
        let waiters = self.waiters
        let token = self.token
        let message = "no \(what) within \(timeout)"
        let deadline = eventLoop.scheduleTask(in: TimeAmount(timeout)) {
            waiters.fail(token, with: QMPError.timeout(message))
        }
        defer { deadline.cancel() }
        return try await withTaskCancellationHandler {
            try await waiters.wait(token)
        } onCancel: {
            waiters.fail(token, with: CancellationError())
        }
    }

    /// Stops watching.
    public func cancel() {
        waiters.cancel(token)
    }
}
