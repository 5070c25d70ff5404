public import JoistCore

/// One destination port or an inclusive range of them: `22`, `8000-8080`.
///
/// Its JSON and command-line form is that text, so a rule reads the same everywhere.
public struct PortRange: Codable, Sendable, Hashable, Comparable, CustomStringConvertible {
    public let first: UInt16
    public let last: UInt16

    /// Ports from `first` to `last`, both from 1 to 65535 and in order.
    public init(_ first: UInt16, _ last: UInt16? = nil) throws(JoistError) {
        let last = last ?? first
        guard first >= 1, last >= 1 else { throw .invalidArgument("invalid port range '\(first)-\(last)': ports are from 1 to 65535") }
        guard first <= last else { throw .invalidArgument("invalid port range '\(first)-\(last)': the first port must not be above the last") }
        self.first = first
        self.last = last
    }

    /// Parses `22` or `8000-8080`.
    public init(parsing text: String) throws(JoistError) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let first = Self.port(parts[0]), let last = Self.port(parts[parts.count - 1]) else {
            throw .invalidArgument("invalid port '\(text)': expected a port from 1 to 65535 or a range like 8000-8080")
        }
        try self.init(first, last)
    }

    /// 1–5 ASCII digits without a leading zero, at most 65535.
    private static func port(_ text: Substring) -> UInt16? {
        guard (1...5).contains(text.utf8.count), text.utf8.allSatisfy({ (0x30...0x39).contains($0) }),
            text.utf8.count == 1 || text.utf8.first != UInt8(ascii: "0")
        else { return nil }
        return UInt16(text)
    }

    /// `22`, or `8000-8080` (nftables reads both forms as they are).
    public var description: String { first == last ? "\(first)" : "\(first)-\(last)" }

    public static func < (a: PortRange, b: PortRange) -> Bool { (a.first, a.last) < (b.first, b.last) }

    public init(from decoder: any Decoder) throws {
        self = try PortRange(parsing: try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
