/// An Ethernet MAC address, written as six lowercase hex pairs (`52:54:00:12:34:56`).
///
/// Only addresses a NIC may carry are accepted: unicast (the lowest bit of the first byte clear)
/// and not all zeros.
public struct MACAddress: Hashable, Sendable, Comparable, Codable, CustomStringConvertible {
    /// The six bytes in the low 48 bits, first byte most significant.
    public let value: UInt64

    /// QEMU's locally administered prefix, which Joist's generated addresses use too.
    public static let qemuPrefix: UInt64 = 0x52_54_00

    /// A NIC address from its 48-bit value; throws when it is multicast or all zeros.
    public init(_ value: UInt64) throws(JoistError) {
        let text = Self.format(value & 0xffff_ffff_ffff)
        guard value >> 48 == 0 else { throw .invalidArgument("invalid MAC address: \(value) does not fit in 48 bits") }
        guard value != 0 else { throw .invalidArgument("MAC address \(text) is all zeros, which no NIC may carry") }
        guard value >> 40 & 1 == 0 else {
            throw .invalidArgument("MAC address \(text) is a multicast address: a NIC needs a unicast one (an even first byte)")
        }
        self.value = value
    }

    /// Parses `52:54:00:12:34:56` (upper or lower case).
    public init(parsing text: String) throws(JoistError) {
        let pairs = text.split(separator: ":", omittingEmptySubsequences: false)
        guard pairs.count == 6, pairs.allSatisfy({ $0.utf8.count == 2 && $0.utf8.allSatisfy(Self.isHexDigit) }) else {
            throw .invalidArgument("invalid MAC address '\(text)': expected six pairs of hex digits like 52:54:00:12:34:56")
        }
        // Every pair is two hex digits, so each parses.
        try self.init(pairs.reduce(0) { $0 << 8 | UInt64(UInt8($1, radix: 16) ?? 0) })
    }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x46).contains(byte) || (0x61...0x66).contains(byte)
    }

    /// The address in QEMU's `52:54:00` block whose last three bytes are `suffix`'s low 24 bits:
    /// always a valid NIC address, since the prefix is unicast and not zero.
    public init(qemuSuffix suffix: UInt32) {
        self.value = Self.qemuPrefix << 24 | UInt64(suffix & 0xff_ffff)
    }

    /// The six bytes, first byte first.
    public var bytes: [UInt8] { stride(from: 40, through: 0, by: -8).map { UInt8(truncatingIfNeeded: value >> UInt64($0)) } }

    public var description: String { Self.format(value) }

    private static func format(_ value: UInt64) -> String {
        stride(from: 40, through: 0, by: -8).map { Hex.lowercase([UInt8(truncatingIfNeeded: value >> UInt64($0))]) }
            .joined(separator: ":")
    }

    public static func < (a: MACAddress, b: MACAddress) -> Bool { a.value < b.value }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        self = try MACAddress(parsing: text)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
