public import JoistCore

/// The addresses of a network Joist hosts (`nat` or `isolated`): the host's side of its bridge and
/// the range dnsmasq leases from.
public struct NetworkAddressing: Sendable, Equatable {
    public let subnet: IPv4Subnet
    /// The host's address on the bridge (`host(1)`): the guests' router on a `nat` network, their
    /// DHCP and DNS server on both kinds.
    public let gateway: IPv4Address
    /// Addresses dnsmasq leases: `host(2)` to the last usable address. Reservations may name any
    /// usable address but the gateway.
    public let dhcpRange: ClosedRange<IPv4Address>

    /// The addressing of `subnet`; nil when it has fewer than two usable addresses (a gateway and
    /// one guest), which `NetworkConfig.validate()` never lets through.
    public init?(subnet: IPv4Subnet) {
        guard let gateway = subnet.host(1), let first = subnet.host(2), let last = subnet.lastUsable else { return nil }
        self.subnet = subnet
        self.gateway = gateway
        self.dhcpRange = first...last
    }

    /// How many addresses dnsmasq may lease.
    public var dhcpRangeCount: UInt64 { UInt64(dhcpRange.upperBound.value - dhcpRange.lowerBound.value) + 1 }

    /// Whether a guest may hold `address`: usable in the subnet and not the gateway.
    public func isGuestAddress(_ address: IPv4Address) -> Bool {
        subnet.containsHost(address) && address != gateway
    }
}
