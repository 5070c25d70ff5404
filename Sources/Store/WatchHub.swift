import Synchronization

/// Fans committed changes out to in-process watchers, and joins each new watcher's replay of
/// history to the live changes without gaps or duplicates.
///
/// A watcher is registered before its backend reads history, and buffers live changes while the
/// read runs. Once the replay is delivered, buffered changes newer than the read are delivered and
/// the watcher goes live. Writers must publish in commit order. Streams buffer without bound, as
/// an etcd watch does until its consumer catches up: a consumer that stops reading should cancel.
final class WatchHub: Sendable {
    typealias Stream = AsyncThrowingStream<WatchEvent, any Error>

    /// What a backend's history read returns: the matching events after the requested revision,
    /// and the store revision the read saw.
    struct Replay: Sendable {
        let events: [WatchEvent]
        let revision: Int64
    }

    private enum Phase {
        /// History is being read; live events are held here.
        case replaying(pending: [WatchEvent])
        /// Events newer than `after` are delivered as they are published.
        case live(after: Int64)
    }

    private struct Watcher {
        let prefix: String
        let continuation: Stream.Continuation
        var phase: Phase

        func matches(_ event: WatchEvent) -> Bool {
            KeyOrder.key(event.key, hasPrefix: prefix)
        }
    }

    private struct State {
        var nextID = 0
        var watchers: [Int: Watcher] = [:]
        var isClosed = false
    }

    private let state = Mutex(State())

    /// A stream of changes under `prefix` after `afterRevision`: `replay` reads history (it runs in
    /// a task of its own and may throw `.compacted`), then live changes follow.
    func stream(
        prefix: String,
        afterRevision: Int64,
        replay: @escaping @Sendable () async throws -> Replay
    ) -> Stream {
        let (stream, continuation) = Stream.makeStream()
        guard let id = register(prefix: prefix, continuation: continuation) else {
            continuation.finish(throwing: StoreError.closed)
            return stream
        }
        let task = Task {
            do {
                let history = try await replay()
                goLive(id, replay: history.events, after: max(history.revision, afterRevision))
            } catch {
                end(id, throwing: error)
            }
        }
        continuation.onTermination = { [weak self] _ in
            task.cancel()
            self?.remove(id)
        }
        return stream
    }

    /// Delivers one write's events (all of one revision) to matching watchers.
    func publish(_ events: [WatchEvent]) {
        guard let revision = events.first?.revision else { return }
        state.withLock { state in
            for (id, var watcher) in state.watchers {
                let matching = events.filter(watcher.matches)
                guard !matching.isEmpty else { continue }
                switch watcher.phase {
                case .replaying(let pending):
                    watcher.phase = .replaying(pending: pending + matching)
                    state.watchers[id] = watcher
                case .live(let after):
                    // A write committed before the replay's read may publish after it; skip it.
                    guard revision > after else { continue }
                    for event in matching { watcher.continuation.yield(event) }
                }
            }
        }
    }

    /// Finishes every stream and refuses new ones.
    func close() {
        let watchers = state.withLock { state in
            state.isClosed = true
            defer { state.watchers = [:] }
            return Array(state.watchers.values)
        }
        // Finishing runs onTermination, which takes the lock: do it outside.
        for watcher in watchers { watcher.continuation.finish() }
    }

    private func register(prefix: String, continuation: Stream.Continuation) -> Int? {
        state.withLock { state in
            guard !state.isClosed else { return nil }
            let id = state.nextID
            state.nextID += 1
            state.watchers[id] = Watcher(prefix: prefix, continuation: continuation, phase: .replaying(pending: []))
            return id
        }
    }

    private func goLive(_ id: Int, replay: [WatchEvent], after revision: Int64) {
        state.withLock { state in
            guard var watcher = state.watchers[id], case .replaying(let pending) = watcher.phase else { return }
            for event in replay where watcher.matches(event) {
                watcher.continuation.yield(event)
            }
            for event in pending where event.revision > revision {
                watcher.continuation.yield(event)
            }
            watcher.phase = .live(after: revision)
            state.watchers[id] = watcher
        }
    }

    private func end(_ id: Int, throwing error: any Error) {
        let watcher = state.withLock { $0.watchers.removeValue(forKey: id) }
        watcher?.continuation.finish(throwing: error)
    }

    private func remove(_ id: Int) {
        _ = state.withLock { $0.watchers.removeValue(forKey: id) }
    }
}
