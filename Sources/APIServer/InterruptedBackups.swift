import Activity
import Daemon
import JoistCore
import Logging

/// At start-up, after the instances settled the views of backups the previous daemon left
/// unfinished: each such backup's manifest (if it was written) is deleted and its operation is
/// remembered as failed, so a client that looks it up learns it did not complete.
enum InterruptedBackups {
    static func settle(instances: InstanceManager, stores: BackupStoreManager, operations: OperationManager, logger: Logger) async {
        for (project, instance, note) in await instances.takeInterruptedBackups() {
            if await stores.discardInterrupted(note, of: instance, in: project) {
                logger.warning("deleted the manifest of interrupted backup \(note.backup) of \(project)/\(instance)")
            }
            guard let operation = note.operation else { continue }
            await operations.recordInterrupted(
                operation,
                error: JoistError.hostFailure(
                    "backup \(note.backup) of instance \(instance) was interrupted: joistd stopped while it ran; run the backup again"))
        }
    }
}
