import Foundation

/// Conditions and writes applied atomically by `Store.commit(_:)`: all writes if every condition
/// holds, none otherwise.
///
/// Maps to an etcd v3 `Txn` with the conditions as `compare` and the writes as `success`.
/// Build one with chained calls:
/// ```swift
/// let transaction = Transaction()
///     .expect("/instances/web-1", .modRevision(41))
///     .put("/instances/web-1", document)
///     .delete("/locks/web-1")
/// ```
/// etcd rejects two writes to one key in a transaction, so a later `put` or `delete` of a key
/// replaces the earlier write of that key.
public struct Transaction: Sendable, Equatable {
    /// A condition on one key's state.
    public struct Condition: Sendable, Equatable {
        /// The key whose state is compared.
        public let key: String
        /// What the key's state must be.
        public let expectation: Expectation

        /// A condition that `key` meets `expectation`.
        public init(key: String, expectation: Expectation) {
            self.key = key
            self.expectation = expectation
        }
    }

    /// A write applied when every condition holds.
    public enum Operation: Sendable, Equatable {
        /// Creates or replaces the key's value.
        case put(String, Data)
        /// Deletes the key; a no-op if it is absent.
        case delete(String)

        /// The key this operation writes.
        public var key: String {
            switch self {
            case .put(let key, _), .delete(let key): key
            }
        }
    }

    /// The conditions, in the order they are checked.
    public private(set) var conditions: [Condition] = []
    /// The writes, in the order their watch events are emitted; at most one per key.
    public private(set) var operations: [Operation] = []

    /// An empty transaction; committing it writes nothing and returns the current revision.
    public init() {}

    /// Adds a condition; `.any` adds none.
    public func expect(_ key: String, _ expectation: Expectation) -> Transaction {
        guard expectation != .any else { return self }
        var copy = self
        copy.conditions.append(Condition(key: key, expectation: expectation))
        return copy
    }

    /// Adds a write of `value` to `key`, replacing any earlier write of that key.
    public func put(_ key: String, _ value: Data) -> Transaction {
        adding(.put(key, value))
    }

    /// Adds a delete of `key`, replacing any earlier write of that key.
    public func delete(_ key: String) -> Transaction {
        adding(.delete(key))
    }

    private func adding(_ operation: Operation) -> Transaction {
        var copy = self
        copy.operations.removeAll { $0.key == operation.key }
        copy.operations.append(operation)
        return copy
    }
}
