import Foundation

/// Revisioned key-value state with compare-and-swap writes and watches, modelled on etcd v3.
///
/// One global revision counter is bumped by every write that changes something; all changes of
/// one write share that revision. Keys sort by their UTF-8 bytes. Every backend passes the same
/// contract test suite.
public protocol Store: Sendable {
    /// The key's current value, or nil if it is absent. Maps to etcd `Range` on one key.
    func get(_ key: String) async throws -> KeyValue?

    /// Every key with this prefix, sorted by key, and the store revision the read saw.
    /// Maps to etcd `Range` with `range_end` = prefix end.
    func range(prefix: String) async throws -> (items: [KeyValue], revision: Int64)

    /// Writes `value` if the key's current state meets `expect`; returns the new revision.
    /// Throws `.conflict` otherwise.
    @discardableResult
    func put(_ key: String, _ value: Data, expect: Expectation) async throws -> Int64

    /// Deletes the key if it meets `expect`; returns the new revision (deleting an absent key
    /// with `.any` is a no-op that returns the current revision).
    @discardableResult
    func delete(_ key: String, expect: Expectation) async throws -> Int64

    /// Applies all operations atomically if every condition holds; throws `.conflict` naming the
    /// first failing key otherwise. Returns the new revision, or the current one if nothing changed.
    @discardableResult
    func commit(_ transaction: Transaction) async throws -> Int64

    /// Changes under `prefix` with revision > `afterRevision`, in revision order, then live.
    /// Throws `.compacted` if history before that was compacted. Ends when the task is cancelled
    /// or the store closes.
    func watch(prefix: String, afterRevision: Int64) -> AsyncThrowingStream<WatchEvent, any Error>

    /// The store's current revision (0 for a new store).
    func currentRevision() async throws -> Int64

    /// Ends every watch and rejects later calls with `.closed`.
    func close() async
}

extension Store {
    /// A single-key write is a one-operation transaction; backends may do it more directly.
    @discardableResult
    public func put(_ key: String, _ value: Data, expect: Expectation) async throws -> Int64 {
        try await commit(Transaction().expect(key, expect).put(key, value))
    }

    /// A single-key delete is a one-operation transaction; backends may do it more directly.
    @discardableResult
    public func delete(_ key: String, expect: Expectation) async throws -> Int64 {
        try await commit(Transaction().expect(key, expect).delete(key))
    }

    /// Writes `value` unconditionally; returns the new revision.
    @discardableResult
    public func put(_ key: String, _ value: Data) async throws -> Int64 {
        try await put(key, value, expect: .any)
    }

    /// Deletes the key unconditionally; returns the new revision, or the current one if it was absent.
    @discardableResult
    public func delete(_ key: String) async throws -> Int64 {
        try await delete(key, expect: .any)
    }
}
