import Foundation
import JoistAPI
import JoistCore
import Logging

/// Runs and remembers long actions: `start` launches the work in a task and answers at once with an
/// `Operation` that clients poll, wait on, cancel, or follow on the event bus.
///
/// An actor so that every change to an operation (progress, end, cancel, waiters) happens in one
/// order; the work itself runs off the actor. Finished operations are remembered for `retention`,
/// at most `maxFinished` of them, and forgotten lazily when operations start or are listed.
public actor OperationManager {
    let events: EventBus
    let now: @Sendable () -> Date
    let logger: Logger
    private let progressInterval: Duration
    var operations: [String: TrackedOperation] = [:]
    /// Holds exactly the finished operations in `operations`.
    private var finished: RetentionQueue
    var nextWaiterID = 0

    /// - Parameters:
    ///   - progressInterval: the shortest gap between two progress events of one operation.
    ///   - now: the wall clock for timestamps and retention; tests pass a manual one.
    public init(
        events: EventBus, retention: Duration = .seconds(3600), maxFinished: Int = 1000,
        progressInterval: Duration = .milliseconds(250), logger: Logger = Logger(label: "joist.operations"),
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.events = events
        self.now = now
        self.logger = logger
        self.progressInterval = progressInterval
        self.finished = RetentionQueue(keepFor: retention, maxFinished: maxFinished)
    }

    /// Records a running operation, launches `work` for it and returns its first snapshot.
    ///
    /// What `work` returns becomes the result; what it throws becomes the error (`JoistError` keeps
    /// its code, anything else is `internal`, and a cancelled operation ends `cancelled`).
    @discardableResult
    public func start(
        action: String, description: String, project: String, resources: [String], requestedBy: String,
        mayCancel: Bool = true,
        work: @escaping @concurrent @Sendable (OperationContext) async throws -> [String: String]?
    ) -> JoistAPI.Operation {
        prune()
        let date = now()
        let operation = JoistAPI.Operation(
            id: UUID().uuidString.lowercased(), action: action, description: description, project: project,
            resources: resources, status: .running, mayCancel: mayCancel, requestedBy: requestedBy,
            createdAt: date, updatedAt: date)
        let id = operation.id
        let cancellation = CancellationFlag()
        let context = OperationContext(operationID: id, cancellation: cancellation, manager: self)
        var tracked = TrackedOperation(
            operation: operation, cancellation: cancellation, throttle: ProgressThrottle(interval: progressInterval))
        // The task is isolated to this actor, so it cannot finish before the operation is recorded;
        // `work` is `@concurrent`, so it never runs on (and never blocks) this actor.
        tracked.task = Task {
            let result: Result<[String: String]?, any Error>
            do {
                result = .success(try await work(context))
            } catch {
                result = .failure(error)
            }
            finish(id, result)
        }
        operations[id] = tracked
        events.publish(.operation(operation, at: date))
        logger.debug("operation started", metadata: ["operation": "\(id)", "action": "\(action)"])
        return operation
    }

    /// The operation `id`, if it is running or still remembered.
    public func get(_ id: String) -> JoistAPI.Operation? {
        operations[id]?.operation
    }

    /// Operations in `project` (all when nil) with one of `statuses` (any when nil), oldest first.
    public func list(project: String? = nil, statuses: Set<JoistAPI.Operation.Status>? = nil) -> [JoistAPI.Operation] {
        prune()
        return operations.values.lazy
            .map(\.operation)
            .filter { project == nil || $0.project == project }
            .filter { statuses?.contains($0.status) ?? true }
            .sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }
    }

    /// Asks the operation `id` to stop and returns its snapshot, which stays `running` until the
    /// work notices. Maps to `DELETE /1.0/operations/{id}`.
    public func cancel(_ id: String) throws -> JoistAPI.Operation {
        guard let tracked = operations[id] else {
            throw JoistError.notFound("operation \(id) not found")
        }
        let operation = tracked.operation
        guard !operation.status.isFinal else {
            throw JoistError.invalidState("cannot cancel operation \(id): it has already \(operation.status.rawValue)")
        }
        guard operation.mayCancel else {
            throw JoistError.invalidState("cannot cancel operation \(id): \(operation.action) cannot be cancelled")
        }
        tracked.cancellation.set()
        tracked.task?.cancel()
        return operation
    }

    /// Remembers `operation`, which an earlier run of the daemon started and never finished (the
    /// daemon died), as failed with `error`, so clients that look it up learn how it ended.
    /// An id already known is left as it is.
    @discardableResult
    public func recordInterrupted(_ operation: JoistAPI.Operation, error: JoistError) -> JoistAPI.Operation {
        if let known = operations[operation.id] { return known.operation }
        prune()
        let date = now()
        let failed = OperationOutcome.finished(operation, with: .failure(error), cancelRequested: false, at: date)
        operations[failed.id] = TrackedOperation(
            operation: failed, cancellation: CancellationFlag(), throttle: ProgressThrottle(interval: progressInterval))
        finished.append(failed.id, finishedAt: date)
        events.publish(.operation(failed, at: date))
        log(failed)
        return failed
    }

    /// How many operations are still running.
    public func runningCount() -> Int {
        operations.count - finished.count
    }

    /// Records how the work of `id` ended, tells the bus and wakes its waiters.
    private func finish(_ id: String, _ result: Result<[String: String]?, any Error>) {
        guard var tracked = operations[id] else { return }
        let date = now()
        let operation = OperationOutcome.finished(
            tracked.operation, with: result, cancelRequested: tracked.cancellation.isSet, at: date)
        tracked.operation = operation
        tracked.task = nil
        tracked.pendingFlush?.cancel()
        tracked.pendingFlush = nil
        let waiters = tracked.waiters
        tracked.waiters = [:]
        operations[id] = tracked
        finished.append(id, finishedAt: date)

        events.publish(.operation(operation, at: date))
        for waiter in waiters.values { waiter.resume(with: operation) }
        log(operation)
    }

    private func prune() {
        for id in finished.prune(now: now()) {
            operations[id] = nil
        }
    }

    private func log(_ operation: JoistAPI.Operation) {
        var metadata: Logger.Metadata = [
            "operation": "\(operation.id)", "action": "\(operation.action)", "status": "\(operation.status.rawValue)",
        ]
        if let error = operation.error { metadata["error"] = "\(error.code): \(error.message)" }
        logger.log(level: Self.logLevel(operation), "operation finished", metadata: metadata)
    }

    /// Failures stand out; successes are already visible as lifecycle and audit events.
    private static func logLevel(_ operation: JoistAPI.Operation) -> Logger.Level {
        switch operation.status {
        case .pending, .running, .succeeded: .debug
        case .cancelled: .info
        // An `internal` error is a bug in the work, not something the user did.
        case .failed: operation.error?.code == JoistError.Code.internalError.rawValue ? .error : .warning
        }
    }
}

/// The manager's bookkeeping for one operation.
struct TrackedOperation {
    var operation: JoistAPI.Operation
    let cancellation: CancellationFlag
    var throttle: ProgressThrottle
    /// The running work; nil once it ended.
    var task: Task<Void, Never>?
    /// Publishes a held progress update when its throttle window ends.
    var pendingFlush: Task<Void, Never>?
    var waiters: [Int: OperationWaiter] = [:]
}
