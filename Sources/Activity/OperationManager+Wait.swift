import JoistAPI

extension OperationManager {
    /// The operation `id` once it is final, or as it is when `timeout` passes or the caller is
    /// cancelled; nil when unknown. Maps to `GET /1.0/operations/{id}/wait`.
    public func wait(_ id: String, timeout: Duration) async -> Operation? {
        guard let operation = operations[id]?.operation else { return nil }
        guard !operation.status.isFinal, timeout > .zero, !Task.isCancelled else { return operation }
        let waiterID = nextWaiterID
        nextWaiterID += 1
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                addWaiter(waiterID, of: id, continuation, timeout: timeout)
            }
        } onCancel: {
            // Runs after `addWaiter` even when the caller was cancelled first: both are on this actor,
            // and the waiter is added without a suspension point.
            Task { await self.resumeWaiter(waiterID, of: id) }
        }
    }

    private func addWaiter(
        _ waiterID: Int, of id: String, _ continuation: CheckedContinuation<Operation?, Never>, timeout: Duration
    ) {
        // The operation cannot have finished since `wait` looked: no suspension point in between.
        let timer = Task { [weak self] in
            guard (try? await Task.sleep(for: timeout)) != nil else { return }
            await self?.resumeWaiter(waiterID, of: id)
        }
        operations[id]?.waiters[waiterID] = OperationWaiter(continuation: continuation, timer: timer)
    }

    /// Wakes one waiter with the current snapshot, if it is still waiting.
    private func resumeWaiter(_ waiterID: Int, of id: String) {
        guard let waiter = operations[id]?.waiters.removeValue(forKey: waiterID) else { return }
        waiter.resume(with: operations[id]?.operation)
    }
}

/// A caller blocked in `OperationManager.wait`, and the timer that ends its wait.
struct OperationWaiter {
    let continuation: CheckedContinuation<Operation?, Never>
    let timer: Task<Void, Never>

    /// Resumes the caller exactly once; the owner removes the waiter first.
    func resume(with operation: Operation?) {
        timer.cancel()
        continuation.resume(returning: operation)
    }
}
