extension GuestAgent {
    /// Runs `command` in the guest to completion and returns its exit status and output.
    ///
    /// Polls `guest-exec-status`, first every 10 ms (most commands end at once), doubling up to
    /// `maximumPollInterval`.
    ///
    /// - Throws: `GuestExecTimeout` when the command has not exited within `timeout` (it keeps running:
    ///   qemu-ga has no way to kill what it started); agent errors as `execute` throws them.
    public func run(
        _ command: GuestCommand, input: [UInt8]? = nil, timeout: Duration, maximumPollInterval: Duration = .milliseconds(500)
    ) async throws -> GuestExecStatus {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        let pid = try await exec(command.path, arguments: command.arguments, environment: command.environment, input: input)
        var interval = Duration.milliseconds(10)
        while true {
            let status = try await execStatus(pid: pid)
            if status.exited { return status }
            let left = deadline - clock.now
            guard left > .zero else { throw GuestExecTimeout(pid: pid, waited: timeout) }
            try await Task.sleep(for: min(interval, left))
            interval = min(interval * 2, maximumPollInterval)
        }
    }
}

/// A guest command that had not exited when its time was up. It may still be running in the guest
/// (as process `pid`): the agent can start processes but not end them.
public struct GuestExecTimeout: Error, Sendable, Hashable, CustomStringConvertible {
    public var pid: Int
    public var waited: Duration

    public init(pid: Int, waited: Duration) {
        self.pid = pid
        self.waited = waited
    }

    public var description: String {
        "the command did not finish within \(waited); it may still be running in the guest as process \(pid) (the guest agent cannot stop it)"
    }
}
