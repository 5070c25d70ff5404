import Foundation

/// One key's current value and its revision metadata, as etcd's `mvccpb.KeyValue` carries it.
public struct KeyValue: Sendable, Equatable {
    /// The key, such as `/projects/default/instances/web-1`.
    public let key: String
    /// The stored bytes (for resources, a JSON document).
    public let value: Data
    /// The store revision of the write that created the key (reset when the key is deleted and re-created).
    public let createRevision: Int64
    /// The store revision of the last write to the key; the value to pass to `Expectation.modRevision`.
    public let modRevision: Int64
    /// How many times the key was written since it was created: 1 after the create.
    public let version: Int64

    /// Creates a key-value snapshot; backends build these, tests and fakes may too.
    public init(key: String, value: Data, createRevision: Int64, modRevision: Int64, version: Int64) {
        self.key = key
        self.value = value
        self.createRevision = createRevision
        self.modRevision = modRevision
        self.version = version
    }
}
