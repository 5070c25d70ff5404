/// An IPv4 address, kept as the 32-bit number it is, written as a dotted quad (`10.1.2.3`).
///
/// Parsing is strict: exactly four decimal octets of 0–255 without leading zeros, because
/// `inet_aton` reads `010` as octal and `10.1` as `10.0.0.1`, and an address that means one thing to
/// Joist and another to the kernel must never reach a rule.
public struct IPv4Address: Hashable, Sendable, Comparable, Codable, CustomStringConvertible {
    /// The address in host byte order: `10.1.2.3` is `0x0A01_0203`.
    public let value: UInt32

    public init(_ value: UInt32) { self.value = value }

    public init(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) {
        self.init(UInt32(a) << 24 | UInt32(b) << 16 | UInt32(c) << 8 | UInt32(d))
    }

    /// `0.0.0.0`: "every address of the host" where a listen address is expected.
    public static let any = IPv4Address(0)

    /// Parses a dotted quad such as `10.1.2.3`.
    public init(parsing text: String) throws(JoistError) {
        guard let value = Self.parse(Substring(text)) else {
            throw .invalidArgument("invalid IPv4 address '\(text)': expected four numbers from 0 to 255 like 10.1.2.3")
        }
        self.init(value)
    }

    /// The dotted-quad value of `text`, or nil when it is not exactly one (for parsers of forms
    /// that hold an address, such as CIDR subnets).
    public static func parse(_ text: Substring) -> UInt32? {
        let octets = text.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4 else { return nil }
        var value: UInt32 = 0
        for octet in octets {
            guard let number = Self.octet(octet) else { return nil }
            value = value << 8 | UInt32(number)
        }
        return value
    }

    /// 1–3 ASCII digits, no leading zero (except `0` itself), at most 255.
    private static func octet(_ text: Substring) -> UInt8? {
        guard (1...3).contains(text.utf8.count), text.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
        guard text.utf8.count == 1 || text.utf8.first != UInt8(ascii: "0") else { return nil }
        return UInt8(text)
    }

    /// The four octets, most significant first.
    public var octets: [UInt8] { [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: value >> $0) } }

    public var description: String { octets.map(String.init).joined(separator: ".") }

    public static func < (a: IPv4Address, b: IPv4Address) -> Bool { a.value < b.value }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        self = try IPv4Address(parsing: text)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
