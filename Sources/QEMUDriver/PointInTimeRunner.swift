import Foundation
import HostKit
import JoistCore
import QMP

/// Runs `PointInTimeStep`s over a QEMU's QMP connection (a guest's, or a storage daemon's).
struct PointInTimeRunner: Sendable {
    let qmp: QMPClient
    /// How long an export or a job has to go away once asked to.
    let settleTimeout: Duration

    /// Runs `steps` in order, stopping at the first failure.
    func run(_ steps: [PointInTimeStep]) async throws {
        for step in steps { try await run(step) }
    }

    /// Runs every step of `steps` even when some fail (taking things down), and returns the failures.
    func runAll(_ steps: [PointInTimeStep]) async -> [String] {
        var failures: [String] = []
        for step in steps {
            do {
                try await run(step)
            } catch {
                failures.append("\(step.description.prefix(80)): \(error)")
            }
        }
        return failures
    }

    func run(_ step: PointInTimeStep) async throws {
        switch step {
        case .createScratch(let path, let size):
            guard let qemuImg = HostCommand.locate("qemu-img") else {
                throw JoistError.hostFailure("qemu-img not found; install qemu-utils (scripts/install-deps)")
            }
            _ = try await HostCommand(qemuImg, ["create", "-q", "-f", "qcow2", path, String(size)]).check("cannot create scratch image \(path)")
        case .command("blockdev-del", let arguments):
            do {
                _ = try await qmp.execute("blockdev-del", arguments: arguments.qmpArguments)
            } catch let error as QMPError {
                let node = arguments.qmpValue["node-name"]?.stringValue ?? ""
                guard try await qmp.queryNamedBlockNodes().contains(where: { $0.nodeName == node }) else { return }
                throw error
            }
        case .command("nbd-server-stop", let arguments):
            do {
                _ = try await qmp.execute("nbd-server-stop", arguments: arguments.qmpArguments)
            } catch QMPError.commandFailed(_, let description) where description.contains("not running") {
                return
            }
        case .command(let name, let arguments):
            _ = try await qmp.execute(name, arguments: arguments.qmpArguments)
        case .deleteExport(let id):
            guard try await qmp.queryBlockExports().contains(id) else { return }
            let watch = qmp.watchEvent("BLOCK_EXPORT_DELETED", describedAs: "BLOCK_EXPORT_DELETED of \(id)") { $0["id"]?.stringValue == id }
            do {
                _ = try await qmp.execute("block-export-del", arguments: ["id": .string(id), "mode": .string("hard")])
            } catch {
                watch.cancel()
                throw error
            }
            _ = try await watch.wait(timeout: settleTimeout)
        case .cancelJob(let id):
            guard try await qmp.queryBlockJobs().contains(where: { $0.id == id }) else { return }
            let watch = qmp.watchEvent("BLOCK_JOB_CANCELLED", describedAs: "BLOCK_JOB_CANCELLED of \(id)") {
                $0["device"]?.stringValue == id
            }
            do {
                _ = try await qmp.execute("block-job-cancel", arguments: ["device": .string(id), "force": .bool(true)])
            } catch {
                watch.cancel()
                guard try await qmp.queryBlockJobs().contains(where: { $0.id == id }) else { return }
                throw error
            }
            _ = try await watch.wait(timeout: settleTimeout)
        case .deleteInternalSnapshot(let node, let name):
            do {
                _ = try await qmp.execute("blockdev-snapshot-delete-internal-sync", arguments: ["device": .string(node), "name": .string(name)])
            } catch QMPError.commandFailed(_, let description) where description.contains("does not exist") {
                return
            }
        case .removeScratch(let path):
            if FileManager.default.fileExists(atPath: path) { try FileManager.default.removeItem(atPath: path) }
        }
    }
}
