import Synchronization

/// Waits for a task's value for a while, without cancelling or abandoning the task: a QMP query
/// that QEMU answers late is still answered, and the next caller can wait on the same task.
enum FirstOf {
    /// The task's value, or nil when it is not ready within `limit`.
    static func value<T: Sendable>(of task: Task<T?, Never>, within limit: Duration) async -> T? {
        let slot = ContinuationSlot<T?>()
        return await withCheckedContinuation { continuation in
            slot.set(continuation)
            Task { slot.resume(returning: await task.value) }
            Task {
                try? await Task.sleep(for: limit)
                slot.resume(returning: nil)
            }
        }
    }
}

/// A continuation that the first of several racers resumes; the others find it gone.
private final class ContinuationSlot<T: Sendable>: Sendable {
    private let continuation = Mutex<CheckedContinuation<T, Never>?>(nil)

    func set(_ value: CheckedContinuation<T, Never>) { continuation.withLock { $0 = value } }

    func resume(returning value: T) {
        continuation.withLock { slot in
            let taken = slot
            slot = nil
            return taken
        }?.resume(returning: value)
    }
}
