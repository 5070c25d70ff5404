/// The states an instance moves through.
public enum InstanceState: String, Codable, Sendable, CaseIterable {
    /// No QEMU process.
    case stopped
    /// QEMU is being launched and configured; vCPUs not yet running.
    case starting
    case running
    /// QEMU is alive with its vCPUs stopped.
    case paused
    /// A power-down or termination is under way.
    case stopping
    /// The guest panicked; QEMU is alive but the guest is not usable until stopped.
    case error

    /// Whether a QEMU process exists in this state.
    public var hasProcess: Bool { self != .stopped }
}

/// The lifecycle state machine of one instance: events in, actions out, no I/O.
///
/// A supervisor feeds it user requests and what QEMU reports (QMP events, the QMP socket closing), and
/// performs the actions it returns. Requests that make no sense in the current state are refused with
/// an `invalidState` error, so a second `start` can never launch a second QEMU.
public struct Lifecycle: Sendable, Equatable {
    /// Inputs: user requests, driver outcomes and QMP events.
    public enum Event: Sendable, Equatable {
        /// The user asked to start.
        case start
        /// The user asked to stop; `force` skips the ACPI power-down.
        case stop(force: Bool)
        case pause
        case resume
        /// QEMU was launched, configured and its vCPUs continued.
        case launched
        /// Launching QEMU failed; no process is left.
        case launchFailed
        /// QMP `SHUTDOWN`: the guest powered off (or was asked to); QEMU exits next.
        case guestShutdown
        /// QMP `RESET`: the guest rebooted in place.
        case guestReset
        /// QMP `STOP`: vCPUs stopped.
        case vcpusStopped
        /// QMP `RESUME`: vCPUs running.
        case vcpusResumed
        /// QMP `GUEST_PANICKED`.
        case guestPanicked
        /// The QEMU process is gone (its QMP socket closed).
        case processExited
        /// A graceful stop did not finish within its timeout.
        case stopTimedOut
        /// After a daemon restart, a live QEMU was found; `running` tells whether its vCPUs run.
        case reattached(running: Bool)
    }

    /// Outputs: what the supervisor must do next.
    public enum Action: Sendable, Equatable {
        /// Spawn QEMU paused, connect QMP and the console, then continue it.
        case launch
        /// Ask the guest to power off through ACPI and arm the stop timeout.
        case powerDown
        /// End QEMU now: QMP `quit`, then SIGKILL if it lingers.
        case terminate
        /// QMP `stop`.
        case pauseVCPUs
        /// QMP `cont`.
        case resumeVCPUs
        /// Release runtime resources (QMP connection, console, pid file).
        case cleanUp
    }

    public let name: String
    public private(set) var state: InstanceState

    public init(name: String, state: InstanceState = .stopped) {
        self.name = name
        self.state = state
    }

    /// Applies `event` and returns the actions to perform, or throws when a user request is not valid now.
    public mutating func handle(_ event: Event) throws(JoistError) -> [Action] {
        switch (state, event) {
        case (.stopped, .start):
            state = .starting
            return [.launch]
        case (.stopped, .reattached(let running)):
            state = running ? .running : .paused
            return []
        case (.starting, .launched):
            state = .running
            return []
        case (.starting, .launchFailed), (.starting, .processExited):
            state = .stopped
            return [.cleanUp]

        case (.running, .stop(force: false)):
            state = .stopping
            return [.powerDown]
        case (.paused, .stop(force: false)):
            state = .stopping
            return [.resumeVCPUs, .powerDown]
        case (.running, .stop(force: true)), (.paused, .stop(force: true)), (.error, .stop),
            (.stopping, .stop(force: true)), (.stopping, .stopTimedOut):
            state = .stopping
            return [.terminate]
        case (.stopping, .stop(force: false)):
            return []

        case (.running, .pause):
            state = .paused
            return [.pauseVCPUs]
        case (.paused, .resume):
            state = .running
            return [.resumeVCPUs]
        case (.running, .vcpusStopped):
            state = .paused
            return []
        case (.paused, .vcpusResumed), (.running, .guestReset), (.paused, .guestReset):
            state = .running
            return []
        case (.running, .guestShutdown), (.paused, .guestShutdown):
            state = .stopping
            return []
        case (.running, .guestPanicked), (.paused, .guestPanicked), (.stopping, .guestPanicked):
            state = .error
            return []
        case (.running, .processExited), (.paused, .processExited), (.stopping, .processExited),
            (.error, .processExited):
            state = .stopped
            return [.cleanUp]

        case (_, .start), (_, .stop), (_, .pause), (_, .resume):
            throw rejection(of: event)
        default:
            // QMP events that do not change this state (e.g. STOP while stopping) are ignored.
            return []
        }
    }

    private func rejection(of event: Event) -> JoistError {
        let reason: String
        switch (event, state) {
        case (.start, .starting): reason = "is already starting"
        case (.start, .stopping): reason = "is stopping; wait for it to stop, then start it"
        case (.start, .error): reason = "has crashed (guest panic); stop it first"
        case (.start, _): reason = "is already \(state.rawValue)"
        case (.stop, .stopped): reason = "is not running"
        case (.stop, .starting): reason = "is still starting"
        case (.pause, .paused): reason = "is already paused"
        case (.resume, .running): reason = "is not paused"
        case (.pause, _), (.resume, _): reason = "is \(state.rawValue)"
        default: reason = "is \(state.rawValue)"
        }
        return .invalidState("instance \(name) \(reason)")
    }
}
