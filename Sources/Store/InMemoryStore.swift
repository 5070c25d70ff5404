import Foundation
import Synchronization

/// A `Store` held in memory, with the same semantics as the durable backends; for tests and fakes.
public final class InMemoryStore: Store {
    private struct State {
        var revision: Int64 = 0
        var entries: [String: KeyValue] = [:]
        /// Events after `compactedRevision`, in revision order.
        var history: [WatchEvent] = []
        var compactedRevision: Int64 = 0
        var isClosed = false
    }

    private let state = Mutex(State())
    private let hub = WatchHub()
    private let historyLimit: Int64

    /// An empty store that keeps the history of at least the last `historyLimit` revisions for watches.
    public init(historyLimit: Int64 = 10_000) {
        self.historyLimit = max(historyLimit, 1)
    }

    public func get(_ key: String) async throws -> KeyValue? {
        try state.withLock { state in
            try Self.checkOpen(state)
            return state.entries[key]
        }
    }

    public func range(prefix: String) async throws -> (items: [KeyValue], revision: Int64) {
        try state.withLock { state in
            try Self.checkOpen(state)
            let items = state.entries.values
                .filter { KeyOrder.key($0.key, hasPrefix: prefix) }
                .sorted { KeyOrder.precedes($0.key, $1.key) }
            return (items, state.revision)
        }
    }

    @discardableResult
    public func commit(_ transaction: Transaction) async throws -> Int64 {
        try state.withLock { state in
            try Self.checkOpen(state)
            let plan = try WritePlan(transaction, currentRevision: state.revision) { state.entries[$0] }
            guard !plan.isEmpty else { return state.revision }
            for keyValue in plan.puts { state.entries[keyValue.key] = keyValue }
            for key in plan.deletes { state.entries[key] = nil }
            state.revision = plan.revision
            state.history.append(contentsOf: plan.events)
            Self.compactIfDue(&state, keepingLast: historyLimit)
            // Publishing under the lock keeps events in commit order.
            hub.publish(plan.events)
            return plan.revision
        }
    }

    public func watch(prefix: String, afterRevision: Int64) -> AsyncThrowingStream<WatchEvent, any Error> {
        hub.stream(prefix: prefix, afterRevision: afterRevision) {
            try self.history(prefix: prefix, after: afterRevision)
        }
    }

    public func currentRevision() async throws -> Int64 {
        try state.withLock { state in
            try Self.checkOpen(state)
            return state.revision
        }
    }

    /// Drops the history of all but the last `count` revisions; watches from before then throw
    /// `.compacted`. Returns the revision history is now kept after. Maps to etcd `Compact`.
    @discardableResult
    public func compact(keepingLast count: Int64) async throws -> Int64 {
        try state.withLock { state in
            try Self.checkOpen(state)
            Self.compact(&state, through: state.revision - max(count, 0))
            return state.compactedRevision
        }
    }

    public func close() async {
        state.withLock { $0.isClosed = true }
        hub.close()
    }

    private func history(prefix: String, after revision: Int64) throws -> WatchHub.Replay {
        try state.withLock { state in
            try Self.checkOpen(state)
            guard revision >= state.compactedRevision else {
                throw StoreError.compacted(requested: revision, oldest: state.compactedRevision)
            }
            let events = state.history.filter {
                $0.revision > revision && KeyOrder.key($0.key, hasPrefix: prefix)
            }
            return WatchHub.Replay(events: events, revision: state.revision)
        }
    }

    private static func checkOpen(_ state: State) throws {
        if state.isClosed { throw StoreError.closed }
    }

    /// Compacts in batches so the history is trimmed once per `historyLimit / 10` revisions, not per write.
    private static func compactIfDue(_ state: inout State, keepingLast limit: Int64) {
        let slack = max(limit / 10, 1)
        if state.revision - state.compactedRevision > limit + slack {
            compact(&state, through: state.revision - limit)
        }
    }

    private static func compact(_ state: inout State, through revision: Int64) {
        guard revision > state.compactedRevision else { return }
        state.compactedRevision = revision
        state.history.removeAll { $0.revision <= revision }
    }
}
