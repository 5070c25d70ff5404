import JoistAPI

extension OperationManager {
    /// Records `progress` on a running operation and publishes it, at most once per throttle window.
    func report(_ progress: OperationProgress, for id: String) {
        guard var tracked = operations[id], !tracked.operation.status.isFinal else { return }
        let date = now()
        tracked.operation.progress = progress
        tracked.operation.updatedAt = date
        switch tracked.throttle.offer(at: .now) {
        case .publish:
            events.publish(.operation(tracked.operation, at: date))
        case .hold(let deadline):
            tracked.pendingFlush = Task { [weak self] in
                guard (try? await Task.sleep(until: deadline, clock: .continuous)) != nil else { return }
                await self?.flushProgress(id)
            }
        case .skip:
            break
        }
        operations[id] = tracked
    }

    /// Publishes the latest progress held back by the throttle, unless the operation ended meanwhile.
    private func flushProgress(_ id: String) {
        guard var tracked = operations[id], !tracked.operation.status.isFinal else { return }
        tracked.pendingFlush = nil
        if tracked.throttle.flush(at: .now) {
            events.publish(.operation(tracked.operation, at: now()))
        }
        operations[id] = tracked
    }
}
