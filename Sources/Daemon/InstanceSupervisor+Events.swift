import Foundation
import JoistAPI
import JoistCore
import QEMUDriver
import QMP

extension InstanceSupervisor {
    /// Maps a QMP event to the state machine.
    func handle(_ event: QMPEvent, from source: QMPClient) {
        guard source === qmp else { return }
        let input: Lifecycle.Event
        switch event.name {
        case "SHUTDOWN":
            input = .guestShutdown
            if pendingExitReason == nil {
                pendingExitReason = Self.shutdownReason(event.data["reason"]?.stringValue)
            }
        case "RESET": input = .guestReset
        case "STOP": input = .vcpusStopped
        case "RESUME": input = .vcpusResumed
        case "GUEST_PANICKED":
            input = .guestPanicked
            pendingExitReason = "guest panicked"
        default:
            logger.debug("QMP event \(event.name)")
            return
        }
        _ = try? transition(input)
    }

    /// The QMP socket closed: QEMU is gone. Records why and releases runtime resources.
    func handleProcessExit(of source: QMPClient) async {
        guard source === qmp else { return }
        await recordExit(reason: pendingExitReason ?? "QEMU exited unexpectedly: \(QEMULauncher.tail(of: paths.qemuLog))")
    }

    /// Moves to `stopped`, keeping `reason` as the last exit; does nothing once the exit is recorded.
    func recordExit(reason: String) async {
        guard lifecycle.state.hasProcess, (try? transition(.processExited)) != nil else { return }
        detach()
        pendingExitReason = nil
        record.runtime = nil
        record.lastExit = ExitRecord(at: Date(), reason: reason)
        for file in paths.sockets + [paths.pidFile] {
            try? FileManager.default.removeItem(atPath: file)
        }
        env.launcher.released(paths: paths)
        do { try await persist() } catch { logger.error("cannot record exit: \(error)") }
    }

    /// A user-facing sentence for QMP's SHUTDOWN `reason`.
    static func shutdownReason(_ cause: String?) -> String {
        switch cause {
        case "guest-shutdown": return "guest powered off"
        case "guest-reset": return "guest reset"
        case "guest-panic": return "guest panicked"
        case "host-qmp-quit": return "stopped"
        case "host-signal": return "QEMU was killed by a signal"
        case let other?: return "QEMU shut down (\(other))"
        case nil: return "QEMU shut down"
        }
    }
}
