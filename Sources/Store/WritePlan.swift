/// The effect of one transaction on the state it was checked against; shared by every backend
/// that applies writes itself, so they agree on conditions, versions and events.
struct WritePlan: Sendable {
    /// The revision after the write: the next one if anything changes, else the current one.
    let revision: Int64
    /// New states of written keys.
    private(set) var puts: [KeyValue] = []
    /// Keys to delete; each was present.
    private(set) var deletes: [String] = []
    /// The watch events of this write, in operation order.
    private(set) var events: [WatchEvent] = []

    /// Whether applying the plan changes nothing (no revision bump, no events).
    var isEmpty: Bool { events.isEmpty }

    /// Checks the transaction's conditions against `lookup` and works out its writes.
    /// Throws `StoreError.conflict` for the first condition that fails.
    init(
        _ transaction: Transaction,
        currentRevision: Int64,
        lookup: (String) throws -> KeyValue?
    ) throws {
        for condition in transaction.conditions {
            let actual = try lookup(condition.key)?.modRevision
            guard condition.expectation.isMet(byModRevision: actual) else {
                throw StoreError.conflict(
                    key: condition.key, expected: condition.expectation, actualModRevision: actual)
            }
        }
        let next = currentRevision + 1
        for operation in transaction.operations {
            switch operation {
            case .put(let key, let value):
                let existing = try lookup(key)
                let written = KeyValue(
                    key: key,
                    value: value,
                    createRevision: existing?.createRevision ?? next,
                    modRevision: next,
                    version: (existing?.version ?? 0) + 1)
                puts.append(written)
                events.append(.put(written))
            case .delete(let key):
                guard try lookup(key) != nil else { continue }
                deletes.append(key)
                events.append(.delete(key: key, revision: next))
            }
        }
        revision = events.isEmpty ? currentRevision : next
    }
}
