/// Why a `Store` operation failed.
public enum StoreError: Error, Equatable, CustomStringConvertible {
    /// A compare-and-swap condition did not hold; nothing was written.
    /// `actualModRevision` is nil when the key was absent.
    case conflict(key: String, expected: Expectation, actualModRevision: Int64?)
    /// A watch asked for changes after `requested`, but history is only kept after `oldest`:
    /// re-read with `range(prefix:)` and watch from the revision it returns.
    case compacted(requested: Int64, oldest: Int64)
    /// The store was closed.
    case closed
    /// The backend failed (I/O, corruption, protocol error); the message says how.
    case backend(String)

    /// A sentence such as "conflict on /a: expected modRevision 3, found modRevision 5".
    public var description: String {
        switch self {
        case .conflict(let key, let expected, let actual):
            let found = actual.map { "modRevision \($0)" } ?? "absent"
            return "conflict on \(key): expected \(expected), found \(found)"
        case .compacted(let requested, let oldest):
            return "revision \(requested) is compacted: history is kept only after revision \(oldest)"
        case .closed:
            return "store is closed"
        case .backend(let message):
            return "store backend failed: \(message)"
        }
    }
}
