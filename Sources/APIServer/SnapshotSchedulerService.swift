import Daemon
import ServiceLifecycle

/// Runs the snapshot scheduler beside the API servers, until the daemon shuts down.
struct SnapshotSchedulerService: Service {
    let scheduler: SnapshotScheduler

    func run() async {
        await cancelWhenGracefulShutdown { await scheduler.run() }
    }
}
