import Foundation
import JoistCore
import QEMUDriver
import QMP

extension InstanceSupervisor {
    /// How long a forced stop waits for QEMU to go before giving up.
    static let terminateTimeout = Duration.seconds(10)

    /// Stops the guest: ACPI power-down, then a hard stop after `timeout`; `force` goes straight to the hard stop.
    public func stop(force: Bool, timeout: Duration) async throws {
        try await operations.withLock { try await self.performStop(force: force, timeout: timeout) }
    }

    /// Stops (if needed) and starts again, as one operation.
    public func restart(force: Bool, timeout: Duration) async throws {
        try await operations.withLock {
            try await self.ensureExists()
            if await self.lifecycle.state.hasProcess {
                try await self.performStop(force: force, timeout: timeout)
            }
            try await self.performStart()
        }
    }

    func performStop(force: Bool, timeout: Duration) async throws {
        try ensureExists()
        let actions = try transition(.stop(force: force))
        pendingExitReason = force ? "stopped (forced)" : "stopped"
        await perform(actions)
        if await waitForState(.stopped, timeout: force ? Self.terminateTimeout : timeout) { return }
        if !force {
            logger.info("guest did not power off within \(timeout); forcing")
            pendingExitReason = "stopped (forced after the guest ignored the power-down for \(timeout))"
            let actions = try transition(.stopTimedOut)
            await perform(actions)
            if await waitForState(.stopped, timeout: Self.terminateTimeout) { return }
        }
        throw JoistError(.timeout, "instance \(name) did not stop")
    }

    /// Pauses the guest's vCPUs (QMP `stop`).
    public func pause() async throws {
        try await operations.withLock {
            try await self.ensureExists()
            let actions = try await self.transition(.pause)
            await self.perform(actions)
        }
    }

    /// Resumes the guest's vCPUs (QMP `cont`).
    public func resume() async throws {
        try await operations.withLock {
            try await self.ensureExists()
            let actions = try await self.transition(.resume)
            await self.perform(actions)
        }
    }

    /// Carries out state-machine actions that talk to a running QEMU.
    func perform(_ actions: [Lifecycle.Action]) async {
        for action in actions {
            do {
                switch action {
                case .powerDown: try await qmp?.systemPowerdown()
                case .pauseVCPUs: try await qmp?.stop()
                case .resumeVCPUs: try await qmp?.cont()
                case .terminate: await terminate()
                case .launch, .cleanUp: break
                }
            } catch {
                logger.warning("\(action) failed: \(error)")
            }
        }
    }

    /// Ends QEMU now: QMP `quit`, then SIGKILL if it lingers.
    ///
    /// Exit is normally noticed by the QMP socket closing; without a QMP connection (QEMU unreachable
    /// after a daemon restart) the exit is recorded here once the process is gone.
    func terminate() async {
        let pid = record.runtime?.pid
        if let qmp {
            try? await qmp.quit()
        }
        guard let pid else { return }
        if await HostProcess.waitForExit(pid, timeout: .seconds(3)) == false {
            logger.warning("QEMU \(pid) ignored quit; sending SIGKILL")
            HostProcess.kill(pid)
            _ = await HostProcess.waitForExit(pid, timeout: .seconds(3))
        }
        if qmp == nil {
            await recordExit(reason: pendingExitReason ?? "stopped (forced)")
        }
    }
}
