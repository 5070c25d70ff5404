import HostKit
import Foundation
import GuestAgent
import JoistCore
import QEMUDriver
import QMP

extension InstanceSupervisor {
    /// How long a forced stop waits for QEMU to go before giving up.
    static let terminateTimeout = Duration.seconds(10)

    /// Stops the guest: through its guest agent when one runs, else (or when the guest is still up
    /// after half of `timeout`) by ACPI power-down, then a hard stop once `timeout` has passed;
    /// `force` goes straight to the hard stop. The instance's last exit says which ended it.
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
        pendingExitReason = force ? "stopped (forced)" : Self.acpiReason
        if actions.contains(.powerDown) {
            let started = ContinuousClock.now
            await perform(actions.filter { $0 != .powerDown })
            if await shutdownThroughAgent() {
                if await waitForState(.stopped, timeout: timeout / 2) { return }
                logger.info("guest still running \(timeout / 2) after the guest agent's shutdown; trying ACPI")
                pendingExitReason = "stopped (ACPI power-down, after the guest agent's shutdown did not finish in \(timeout / 2))"
            }
            await perform([.powerDown])
            let left = timeout - (ContinuousClock.now - started)
            if await waitForState(.stopped, timeout: max(left, .zero)) { return }
        } else {
            await perform(actions)
            if await waitForState(.stopped, timeout: force ? Self.terminateTimeout : timeout) { return }
        }
        if !force {
            logger.info("guest did not power off within \(timeout); forcing")
            pendingExitReason = "stopped (forced after the guest ignored the power-down for \(timeout))"
            let actions = try transition(.stopTimedOut)
            await perform(actions)
            if await waitForState(.stopped, timeout: Self.terminateTimeout) { return }
        }
        throw JoistError(.timeout, "instance \(name) did not stop")
    }

    static let acpiReason = "stopped (ACPI power-down)"
    static let agentReason = "stopped (shut down by the guest agent)"

    /// Asks the guest agent to power the guest off, when something in the guest has its port open
    /// and no other request holds the agent; returns whether the agent took the request. A refusal
    /// (no `/sbin/shutdown` in the guest, …) is logged and left to ACPI.
    private func shutdownThroughAgent() async -> Bool {
        guard !agentInUse, await agentPortOpen() == true else { return false }
        agentInUse = true
        defer { agentInUse = false }
        let agent: GuestAgentClient
        do {
            agent = try await GuestAgentClient.connect(path: paths.guestAgentSocket, syncTimeout: .seconds(2), logger: logger)
        } catch {
            logger.info("guest agent not answering (\(error)); stopping by ACPI")
            return false
        }
        pendingExitReason = Self.agentReason
        do {
            try await agent.shutdown()
        } catch {
            await agent.close()
            logger.info("the guest agent did not shut the guest down (\(error)); stopping by ACPI")
            pendingExitReason = Self.acpiReason
            return false
        }
        await agent.close()
        logger.info("asked the guest agent to shut the guest down")
        return true
    }

    /// Pauses the guest's vCPUs (QMP `stop`).
    public func pause() async throws {
        try await operations.withLock { try await self.performVCPUChange(.pause) }
    }

    /// Resumes the guest's vCPUs (QMP `cont`).
    public func resume() async throws {
        try await operations.withLock { try await self.performVCPUChange(.resume) }
    }

    /// Pauses or resumes; if QEMU did not do it, the state is taken from `query-status` and the failure reported.
    private func performVCPUChange(_ event: Lifecycle.Event) async throws {
        try ensureExists()
        let actions = try transition(event)
        guard await perform(actions) == false, let qmp else { return }
        if let status = try? await withDeadline(Self.qmpCommandTimeout, "QEMU (query-status)", { try await qmp.queryStatus() }) {
            _ = try? transition(status.running ? .vcpusResumed : .vcpusStopped)
        }
        throw JoistError.hostFailure("QEMU did not \(event == .pause ? "pause" : "resume") instance \(name)")
    }

    /// How long one QMP command may take before QEMU counts as unresponsive.
    static let qmpCommandTimeout = Duration.seconds(5)

    /// Carries out state-machine actions that talk to a running QEMU; returns whether all of them worked.
    @discardableResult
    func perform(_ actions: [Lifecycle.Action]) async -> Bool {
        var succeeded = true
        for action in actions {
            do {
                guard action != .terminate else {
                    await terminate()
                    continue
                }
                guard let qmp else { continue }
                try await withDeadline(Self.qmpCommandTimeout, "QEMU (\(action))") {
                    switch action {
                    case .powerDown: try await qmp.systemPowerdown()
                    case .pauseVCPUs: try await qmp.stop()
                    case .resumeVCPUs: try await qmp.cont()
                    case .terminate, .launch, .cleanUp: break
                    }
                }
            } catch {
                succeeded = false
                logger.warning("\(action) failed: \(error)")
            }
        }
        return succeeded
    }

    /// Ends QEMU now: QMP `quit`, then SIGKILL if it lingers.
    ///
    /// Exit is normally noticed by the QMP socket closing; without a QMP connection (QEMU unreachable
    /// after a daemon restart) the exit is recorded here once the process is gone.
    func terminate() async {
        let pid = record.runtime?.pid
        let connected = qmp != nil
        if let qmp {
            _ = try? await withDeadline(.seconds(2), "QEMU (quit)") { try await qmp.quit() }
        }
        guard let pid else { return }
        if await HostProcess.waitForExit(pid, timeout: .seconds(3)) == false {
            logger.warning("QEMU \(pid) ignored quit; sending SIGKILL")
            HostProcess.kill(pid)
            _ = await HostProcess.waitForExit(pid, timeout: .seconds(3))
        }
        if !connected {
            await recordExit(reason: pendingExitReason ?? "stopped (forced)")
        }
    }
}
