/// One change seen by a watcher; every event of one transaction carries the same revision.
public enum WatchEvent: Sendable, Equatable {
    /// The key was created or updated; the value carries the new state.
    case put(KeyValue)
    /// The key was deleted at `revision`.
    case delete(key: String, revision: Int64)

    /// The key that changed.
    public var key: String {
        switch self {
        case .put(let keyValue): keyValue.key
        case .delete(let key, _): key
        }
    }

    /// The store revision of the write that made this change.
    public var revision: Int64 {
        switch self {
        case .put(let keyValue): keyValue.modRevision
        case .delete(_, let revision): revision
        }
    }
}
