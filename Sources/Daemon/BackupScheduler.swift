public import Activity
import Backup
import Foundation
import JoistAPI
import JoistCore
import Logging

/// Makes every instance's scheduled backups on time, each as an operation
/// (`instance.backup-scheduled`) that `joist operation list` and the event stream show, and prunes
/// the instance's backups in the store with the schedule's keep rules after each one.
///
/// Backups run whatever state the instance is in: a running guest is read through its own QEMU, a
/// stopped one through a storage daemon (and cannot start meanwhile).
public actor BackupScheduler {
    let instances: InstanceManager
    let stores: BackupStoreManager
    let operations: OperationManager
    let now: @Sendable () -> Date
    let logger: Logger
    /// When each instance's last scheduled backup failed; the next attempt waits the schedule's retry
    /// delay instead of failing again at every tick. Kept in memory: a restarted daemon tries at once.
    var failures: [InstanceKey: Date] = [:]

    /// `now` is the clock; tests pass a manual one and call `tick()`.
    public init(
        instances: InstanceManager, stores: BackupStoreManager, operations: OperationManager, now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.instances = instances
        self.stores = stores
        self.operations = operations
        self.now = now
        self.logger = instances.env.logger
    }

    /// Checks every instance's schedule every `interval` until cancelled.
    public func run(interval: Duration = .seconds(10)) async {
        while !Task.isCancelled {
            await tick()
            try? await Task.sleep(for: interval)
        }
    }

    /// Runs the backups that are due now, one instance after another, and waits for each.
    public func tick() async {
        let date = now()
        for supervisor in await instances.allSupervisors() {
            guard let schedule = await supervisor.backupSchedule() else { continue }
            let newest = await newestBackup(of: supervisor, in: schedule.store)
            guard schedule.isDue(at: date, newestBackup: newest, lastFailure: failures[supervisor.key]) else { continue }
            let operation = await start(schedule, of: supervisor)
            let finished = await operations.wait(operation.id, timeout: .seconds(86_400))
            if let error = finished?.error {
                failures[supervisor.key] = now()
                logger.warning(
                    "scheduled backup of instance \(supervisor.key) failed (next try in \(Int(schedule.retryDelay))s): \(error.message)")
            } else {
                failures.removeValue(forKey: supervisor.key)
            }
        }
    }

    /// The time of the instance's newest backup in `store`; nil when it has none, or the store cannot
    /// be read (then the backup is attempted, and its operation says what is wrong).
    private func newestBackup(of supervisor: InstanceSupervisor, in store: String) async -> Date? {
        try? await stores.newestBackupDate(of: supervisor.name, in: supervisor.key.project, store: store)
    }

    /// Starts the operation that backs the instance up and prunes its backups.
    private func start(_ schedule: BackupSchedule, of supervisor: InstanceSupervisor) async -> JoistAPI.Operation {
        let (name, project, store, stores, logger) = (supervisor.name, supervisor.key.project, schedule.store, stores, logger)
        return await operations.start(
            action: "instance.backup-scheduled", description: "Taking the scheduled backup of instance \(name) into backup store \(store)",
            project: project, resources: ["/1.0/instances/\(name)", "/1.0/backup-stores/\(store)"], requestedBy: "joistd", mayCancel: true
        ) { context in
            let manifest = try await ProgressRelay.run(to: context) { report in
                try await stores.withStore(store) { chunks in
                    try await supervisor.backup(into: chunks) { progress in
                        report(TransferProgress(stage: "reading disk \(progress.disk)", done: progress.bytesDone, total: progress.bytesTotal))
                    }
                }
            }
            var result = [
                "instance": name, "backup": manifest.id.value, "store": store, "kind": manifest.kind.rawValue,
                "bytesRead": String(manifest.stats.bytesRead), "bytesStored": String(manifest.stats.bytesStored),
            ]
            guard !schedule.keep.isEmpty else { return result }
            // The backup is made; a prune that fails is reported here and done again after the next one.
            do {
                let pruned = try await stores.prune(name, in: project, store: store, keep: schedule.keep.wire, dryRun: false)
                result["pruned"] = pruned.removed.map(\.id).joined(separator: ",")
            } catch {
                logger.warning("cannot prune the backups of instance \(project)/\(name) in backup store \(store): \(error)")
                result["pruneError"] = "\(error)"
            }
            return result
        }
    }
}
