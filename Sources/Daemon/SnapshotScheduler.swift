public import Activity
import Foundation
import Logging

/// Takes every instance's scheduled snapshots on time and prunes the old ones, each as an operation
/// (`instance.snapshot-scheduled`) that `joist operation list` and the event stream show.
public actor SnapshotScheduler {
    let instances: InstanceManager
    let operations: OperationManager
    let now: @Sendable () -> Date
    let logger: Logger

    /// `now` is the clock; tests pass a manual one and call `tick()`.
    public init(instances: InstanceManager, operations: OperationManager, now: @escaping @Sendable () -> Date = { Date() }) {
        self.instances = instances
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

    /// Runs the schedules that are due now, one instance after another, and waits for each.
    public func tick() async {
        let date = now()
        for supervisor in await instances.allSupervisors() where await supervisor.scheduledSnapshotDue(at: date) {
            let name = supervisor.name
            let operation = await operations.start(
                action: "instance.snapshot-scheduled", description: "Taking the scheduled snapshot of instance \(name)",
                project: supervisor.key.project, resources: ["/1.0/instances/\(name)"], requestedBy: "joistd", mayCancel: false
            ) { context in
                let outcome = try await supervisor.runSnapshotSchedule(at: date) { fraction in
                    Task { await context.progress(.init(done: Int64(fraction * 100), total: 100, unit: "percent")) }
                }
                var result = ["instance": name]
                if let taken = outcome.taken { result["snapshot"] = taken }
                if !outcome.pruned.isEmpty { result["pruned"] = outcome.pruned.joined(separator: ",") }
                return result
            }
            let finished = await operations.wait(operation.id, timeout: .seconds(3600))
            if let error = finished?.error { logger.warning("scheduled snapshot of instance \(supervisor.key) failed: \(error.message)") }
        }
    }
}
