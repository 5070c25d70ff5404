/// A compare-and-swap condition on one key, checked before a write is applied.
///
/// Each case maps to an etcd v3 `Compare` on the key's `mod_revision`: `.absent` and
/// `.modRevision(0)` are both `mod_revision == 0`, which etcd uses for "the key does not exist".
public enum Expectation: Sendable, Equatable {
    /// No condition: the write applies whatever the key's state.
    case any
    /// The key must not exist.
    case absent
    /// The key's `modRevision` must equal this revision (0 means the key must not exist).
    case modRevision(Int64)

    /// The expectation that a key is still as `read` saw it: same `modRevision`, or still absent.
    /// The usual condition of a read-modify-write.
    public static func unchanged(since read: KeyValue?) -> Expectation {
        read.map { .modRevision($0.modRevision) } ?? .absent
    }

    /// Whether a key whose current `modRevision` is `actual` (nil when absent) meets this expectation.
    func isMet(byModRevision actual: Int64?) -> Bool {
        switch self {
        case .any: true
        case .absent: actual == nil
        case .modRevision(let expected): (actual ?? 0) == expected
        }
    }
}

extension Expectation: CustomStringConvertible {
    /// A short phrase for error messages, such as "modRevision 42".
    public var description: String {
        switch self {
        case .any: "any"
        case .absent: "absent"
        case .modRevision(let revision): "modRevision \(revision)"
        }
    }
}
