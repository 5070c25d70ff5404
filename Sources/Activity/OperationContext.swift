import JoistAPI
import Synchronization

/// What an operation's work gets: a way to report progress and to notice a cancel request.
public struct OperationContext: Sendable {
    /// The operation this work belongs to.
    public let operationID: String
    let cancellation: CancellationFlag
    let manager: OperationManager

    /// Records `progress` on the operation; followers of the event bus see it (throttled).
    public func progress(_ progress: OperationProgress) async {
        await manager.report(progress, for: operationID)
    }

    /// Whether the operation was asked to stop. Also true in tasks the work spawned outside its own
    /// task tree, which `Task.isCancelled` would not reach.
    public var isCancelled: Bool {
        cancellation.isSet || Task.isCancelled
    }

    /// Throws `CancellationError` once the operation was asked to stop.
    public func checkCancellation() throws {
        if isCancelled { throw CancellationError() }
    }
}

/// Set once when an operation is cancelled; read by its work from any task.
final class CancellationFlag: Sendable {
    private let value = Atomic(false)

    var isSet: Bool { value.load(ordering: .acquiring) }

    func set() {
        value.store(true, ordering: .releasing)
    }
}
