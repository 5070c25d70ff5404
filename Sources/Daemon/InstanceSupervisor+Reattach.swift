import HostKit
import Foundation
import JoistAPI
import JoistCore
import QEMUDriver
import QMP

extension InstanceSupervisor {
    /// After a daemon restart: adopt the QEMU this instance had, or record that it died meanwhile.
    func reattach() async {
        guard let runtime = record.runtime else { return }
        guard HostProcess.isAlive(runtime.pid) else {
            let tail = QEMULauncher.tail(of: paths.qemuLog)
            record.runtime = nil
            record.lastExit = ExitRecord(
                at: Date(), reason: "QEMU exited while joistd was not running" + (tail == "(no output)" ? "" : ": \(tail)"))
            do { try await persist() } catch { logger.error("cannot record exit: \(error)") }
            logger.info("QEMU \(runtime.pid) exited while the daemon was away")
            return
        }
        do {
            let qmp = try await QMPClient.connect(path: paths.qmpSocket, timeout: .seconds(5), logger: logger)
            let status = try await qmp.queryStatus()
            let log = ConsoleLog(path: paths.consoleLog, limit: env.consoleLogLimit)
            let console = try await ConsoleHub.connect(socketPath: paths.serialSocket, log: log)
            attach(qmp: qmp, console: console, log: log)
            if status.status == "guest-panicked" {
                lifecycle = Lifecycle(name: name, state: .error)
            } else {
                try transition(.reattached(running: status.running))
            }
            logger.info("re-attached to QEMU \(runtime.pid) (\(status.status))")
        } catch {
            // QEMU lives but cannot be driven: show it as an error; `stop` still ends it by pid.
            detach()
            lifecycle = Lifecycle(name: name, state: .error)
            pendingExitReason = "stopped (QEMU was unreachable: \(Self.message(of: error)))"
            logger.error("QEMU \(runtime.pid) is alive but unreachable: \(error)")
        }
    }
}
