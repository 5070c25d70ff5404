/// A JSON value with ordered object keys, rendered compactly for QEMU's JSON option forms.
///
/// Key order is kept as written so generated argv is stable for golden tests. Strings are escaped
/// per RFC 8259, so a user-supplied path can never break out of its field.
public indirect enum QEMUJSON: Sendable, Equatable {
    case string(String)
    case int(Int)
    case bool(Bool)
    case array([QEMUJSON])
    case object([(String, QEMUJSON)])
    /// JSON `null`: QMP's way to say "none" where a field has a default (a node without a backing).
    case null

    public static func == (a: QEMUJSON, b: QEMUJSON) -> Bool { a.rendered == b.rendered }

    /// Compact JSON text.
    public var rendered: String {
        switch self {
        case .string(let s): return Self.quote(s)
        case .int(let n): return String(n)
        case .bool(let b): return b ? "true" : "false"
        case .array(let items): return "[" + items.map(\.rendered).joined(separator: ",") + "]"
        case .object(let fields):
            return "{" + fields.map { Self.quote($0.0) + ":" + $0.1.rendered }.joined(separator: ",") + "}"
        case .null: return "null"
        }
    }

    private static func quote(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
