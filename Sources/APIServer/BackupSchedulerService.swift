import Daemon
import ServiceLifecycle

/// Runs the backup scheduler beside the API servers, until the daemon shuts down.
struct BackupSchedulerService: Service {
    let scheduler: BackupScheduler

    func run() async {
        await cancelWhenGracefulShutdown { await scheduler.run() }
    }
}
