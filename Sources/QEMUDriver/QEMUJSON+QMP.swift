public import QMP

extension QEMUJSON {
    /// The same value for the QMP client (whose objects do not keep key order, which QMP ignores).
    public var qmpValue: JSONValue {
        switch self {
        case .string(let s): .string(s)
        case .int(let n): .number(Double(n))
        case .bool(let b): .bool(b)
        case .array(let items): .array(items.map(\.qmpValue))
        case .object(let fields): .object(Dictionary(fields.map { ($0.0, $0.1.qmpValue) }, uniquingKeysWith: { _, last in last }))
        case .null: .null
        }
    }

    /// The members of an object, as QMP command arguments; empty for anything else.
    var qmpArguments: [String: JSONValue] {
        qmpValue.objectValue ?? [:]
    }
}
