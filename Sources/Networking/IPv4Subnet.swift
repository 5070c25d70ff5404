public import JoistCore

/// An IPv4 subnet in CIDR form (`10.1.2.0/24`): a network address and a prefix length.
///
/// The network address has no host bits set (`10.1.2.5/24` is refused, not silently masked), so the
/// text a user gave is the subnet Joist uses.
public struct IPv4Subnet: Hashable, Sendable, Comparable, Codable, CustomStringConvertible {
    /// The first address of the subnet.
    public let network: IPv4Address
    /// The number of leading bits that name the subnet, 0–32.
    public let prefixLength: Int

    /// A subnet from its parts; throws when the prefix is out of range or `network` has host bits set.
    public init(network: IPv4Address, prefixLength: Int) throws(JoistError) {
        let text = "\(network)/\(prefixLength)"
        guard (0...32).contains(prefixLength) else {
            throw .invalidArgument("invalid subnet '\(text)': the prefix length must be from 0 to 32")
        }
        let mask = Self.mask(prefixLength)
        guard network.value & ~mask == 0 else {
            let masked = IPv4Address(network.value & mask)
            throw .invalidArgument("invalid subnet '\(text)': host bits are set; the subnet is \(masked)/\(prefixLength)")
        }
        self.network = network
        self.prefixLength = prefixLength
    }

    /// A subnet Joist spells out in its own code, known to be valid.
    init(literal network: IPv4Address, prefixLength: Int) {
        assert(network.value & ~Self.mask(prefixLength) == 0, "\(network)/\(prefixLength) has host bits set")
        self.network = network
        self.prefixLength = prefixLength
    }

    /// Parses CIDR text such as `10.1.2.0/24`.
    public init(parsing text: String) throws(JoistError) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let address = IPv4Address.parse(parts[0]), let prefix = Self.prefix(parts[1]) else {
            throw .invalidArgument("invalid subnet '\(text)': expected an IPv4 address and a prefix length like 10.1.2.0/24")
        }
        try self.init(network: IPv4Address(address), prefixLength: prefix)
    }

    /// 1–2 ASCII digits without a leading zero.
    private static func prefix(_ text: Substring) -> Int? {
        guard (1...2).contains(text.utf8.count), text.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
        guard text.utf8.count == 1 || text.utf8.first != UInt8(ascii: "0") else { return nil }
        return Int(text)
    }

    /// The netmask as a number: `prefixLength` one bits, then zeros.
    static func mask(_ prefixLength: Int) -> UInt32 {
        prefixLength == 0 ? 0 : UInt32.max << UInt32(32 - prefixLength)
    }

    /// The netmask, e.g. `255.255.255.0` for a /24 (dnsmasq's `dhcp-range` takes it in this form).
    public var netmask: IPv4Address { IPv4Address(Self.mask(prefixLength)) }

    /// The last address of the subnet.
    public var broadcast: IPv4Address { IPv4Address(network.value | ~Self.mask(prefixLength)) }

    /// How many addresses the subnet spans, network and broadcast included.
    public var addressCount: UInt64 { UInt64(1) << UInt64(32 - prefixLength) }

    /// How many addresses lie strictly between the network and broadcast addresses: the hosts a
    /// bridge, its gateway and its guests can use. Point-to-point /31 and single-address /32 subnets
    /// have none in this sense (Joist never hosts a network on them).
    public var usableCount: UInt64 { prefixLength >= 31 ? 0 : addressCount - 2 }

    /// The `n`th usable address (`host(1)` is the first after the network address), or nil when the
    /// subnet has fewer than `n` usable addresses.
    public func host(_ n: UInt64) -> IPv4Address? {
        guard n >= 1, n <= usableCount else { return nil }
        return IPv4Address(network.value + UInt32(n))
    }

    /// The last usable address, just below the broadcast address; nil for /31 and /32.
    public var lastUsable: IPv4Address? { host(usableCount) }

    /// Whether `address` lies in the subnet (network and broadcast addresses included).
    public func contains(_ address: IPv4Address) -> Bool {
        address.value & Self.mask(prefixLength) == network.value
    }

    /// Whether `address` is one of the subnet's usable addresses.
    public func containsHost(_ address: IPv4Address) -> Bool {
        contains(address) && address != network && address != broadcast && usableCount > 0
    }

    /// Whether the two subnets share any address. CIDR blocks either nest or are disjoint, so they
    /// overlap exactly when one contains the other's network address.
    public func overlaps(_ other: IPv4Subnet) -> Bool {
        contains(other.network) || other.contains(network)
    }

    public var description: String { "\(network)/\(prefixLength)" }

    public static func < (a: IPv4Subnet, b: IPv4Subnet) -> Bool {
        (a.network, a.prefixLength) < (b.network, b.prefixLength)
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        self = try IPv4Subnet(parsing: text)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
