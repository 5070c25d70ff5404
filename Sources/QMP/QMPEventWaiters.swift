import Synchronization

/// Events someone waits for, apart from the single-consumer event stream: a command that causes an
/// event (`device_del` → `DEVICE_DELETED`) watches for it here, while the stream's consumer keeps
/// seeing every event too.
///
/// A watch is armed before its command is sent and remembers a matching event that arrives before
/// anyone waits, so a quick answer is never missed.
final class QMPEventWaiters: Sendable {
    private struct Watch {
        let matches: @Sendable (QMPEvent) -> Bool
        var outcome: Result<QMPEvent, any Error>?
        var continuation: CheckedContinuation<QMPEvent, any Error>?
    }

    private struct State {
        var nextToken = 1
        var watches: [Int: Watch] = [:]
        var closeReason: QMPError?
    }

    private let state = Mutex(State())

    /// Starts watching for the first event that `matches`; returns the watch's token.
    func watch(_ matches: @escaping @Sendable (QMPEvent) -> Bool) -> Int {
        state.withLock { state in
            defer { state.nextToken += 1 }
            var watch = Watch(matches: matches)
            if let reason = state.closeReason { watch.outcome = .failure(reason) }
            state.watches[state.nextToken] = watch
            return state.nextToken
        }
    }

    /// Hands `event` to every watch still waiting for one like it.
    func deliver(_ event: QMPEvent) {
        settle { watch in watch.matches(event) ? .success(event) : nil }
    }

    /// Ends the watch `token` with `error` (a timeout, a cancellation) unless it has an outcome already.
    func fail(_ token: Int, with error: any Error) {
        let continuation: CheckedContinuation<QMPEvent, any Error>? = state.withLock { state in
            guard var watch = state.watches[token], watch.outcome == nil else { return nil }
            guard let continuation = watch.continuation else {
                watch.outcome = .failure(error)
                state.watches[token] = watch
                return nil
            }
            state.watches[token] = nil
            return continuation
        }
        continuation?.resume(throwing: error)
    }

    /// Forgets the watch `token`, e.g. when the command that would cause its event failed.
    func cancel(_ token: Int) {
        fail(token, with: CancellationError())
        _ = state.withLock { $0.watches.removeValue(forKey: token) }
    }

    /// Waits for the watch's event; each watch is waited for once.
    func wait(_ token: Int) async throws -> QMPEvent {
        try await withCheckedThrowingContinuation { continuation in
            let outcome: Result<QMPEvent, any Error>? = state.withLock { state in
                guard var watch = state.watches[token] else { return .failure(CancellationError()) }
                if let outcome = watch.outcome {
                    state.watches[token] = nil
                    return outcome
                }
                watch.continuation = continuation
                state.watches[token] = watch
                return nil
            }
            if let outcome { continuation.resume(with: outcome) }
        }
    }

    /// Fails every watch with `reason`: the connection closed, so no event will come.
    func close(reason: QMPError) {
        state.withLock { $0.closeReason = reason }
        settle { _ in .failure(reason) }
    }

    /// Gives each watch without an outcome the one `decide` returns, resuming those already waited for.
    private func settle(_ decide: (Watch) -> Result<QMPEvent, any Error>?) {
        let ready: [(CheckedContinuation<QMPEvent, any Error>, Result<QMPEvent, any Error>)] = state.withLock { state in
            var ready: [(CheckedContinuation<QMPEvent, any Error>, Result<QMPEvent, any Error>)] = []
            for (token, watch) in state.watches where watch.outcome == nil {
                guard let outcome = decide(watch) else { continue }
                if let continuation = watch.continuation {
                    state.watches[token] = nil
                    ready.append((continuation, outcome))
                } else {
                    state.watches[token]?.outcome = outcome
                }
            }
            return ready
        }
        for (continuation, outcome) in ready { continuation.resume(with: outcome) }
    }
}
