import JoistCore
import QMP

/// Runs `HotplugStep`s over a guest's QMP connection, for disks and NICs alike.
struct HotplugRunner: Sendable {
    let qmp: QMPClient
    /// How long the guest has to release a device being unplugged.
    let unplugTimeout: Duration

    /// Runs an attach's steps in order. When one fails, the steps done before it are taken back,
    /// so a failed attach leaves nothing half-plugged, and the failure is rethrown.
    func attach(_ steps: [HotplugStep]) async throws {
        var done: [HotplugStep] = []
        do {
            for step in steps {
                try await run([step], toleratingMissing: false)
                done.append(step)
            }
        } catch {
            try? await run(HotplugStep.undo(done), toleratingMissing: true)
            throw error
        }
    }

    /// Runs `steps` in order. With `toleratingMissing`, unplugging a device QEMU does not have and
    /// closing a node or backend it does not have count as done.
    func run(_ steps: [HotplugStep], toleratingMissing: Bool) async throws {
        var watches: [String: QMPEventWatch] = [:]
        defer { for watch in watches.values { watch.cancel() } }
        for step in steps {
            switch step {
            case .blockdevAdd(_, let options):
                try await qmp.blockdevAdd(options.qmpArguments)
            case .deviceAdd(_, let options):
                try await qmp.deviceAdd(options.qmpArguments)
            case .netdevAdd(_, let options):
                try await qmp.netdevAdd(options.qmpArguments)
            case .deviceDel(let id):
                let watch = qmp.watchDeviceDeleted(id: id)
                do {
                    try await qmp.deviceDel(id: id)
                    watches[id] = watch
                } catch QMPError.commandFailed(class: "DeviceNotFound", _) where toleratingMissing {
                    watch.cancel()
                } catch {
                    watch.cancel()
                    throw error
                }
            case .awaitDeviceDeleted(let id):
                _ = try await watches.removeValue(forKey: id)?.wait(timeout: unplugTimeout)
            case .blockdevDel(let nodeName):
                do {
                    try await qmp.blockdevDel(nodeName: nodeName)
                } catch let error as QMPError where toleratingMissing {
                    guard try await qmp.queryNamedBlockNodes().contains(where: { $0.nodeName == nodeName }) else { continue }
                    throw error
                }
            case .netdevDel(let id):
                do {
                    try await qmp.netdevDel(id: id)
                } catch QMPError.commandFailed(class: "DeviceNotFound", _) where toleratingMissing {
                    continue
                }
            }
        }
    }

    /// `error` as a `JoistError` that says what failed (`what`: "cannot attach disk /srv/a.img").
    func failure(_ error: any Error, _ what: String) -> JoistError {
        switch error {
        case let error as JoistError:
            return JoistError(error.code, "\(what): \(error.message)")
        case QMPError.timeout:
            return JoistError(
                .timeout,
                "\(what): the guest did not release it within \(unplugTimeout) (it must acknowledge the unplug); it stays attached until it does")
        default:
            return .hostFailure("\(what): \(error)")
        }
    }
}
