public import JoistCore

/// One NIC of an instance as the API shows it: its name and network, the MAC it carries, the
/// address reserved for it, and the IPv4 addresses its network's DHCP server leased to that MAC.
public struct InstanceNIC: Codable, Sendable, Equatable {
    /// `eth0`, `eth1`, …: Joist's name for the NIC (`NICSpec.name`), kept when other NICs are
    /// removed; the guest names its interfaces itself.
    public var name: String
    public var mode: NICSpec.Mode
    /// The Joist network the NIC is on (network NICs only).
    public var network: String?
    public var mac: MACAddress?
    /// The address reserved for the NIC in its network's DHCP server, if one is.
    public var ip: IPv4Address?
    /// The addresses the network's DHCP server leased to the NIC's MAC and that have not expired, in
    /// its lease file's order; empty for user NICs, `bridge` networks and guests that asked for none.
    public var addresses: [IPv4Address]

    public init(
        name: String, mode: NICSpec.Mode, network: String? = nil, mac: MACAddress? = nil, ip: IPv4Address? = nil,
        addresses: [IPv4Address] = []
    ) {
        self.name = name
        self.mode = mode
        self.network = network
        self.mac = mac
        self.ip = ip
        self.addresses = addresses
    }
}

/// `POST /1.0/instances/{name}/nics`: add a NIC, hot-plugged when the instance runs.
public struct InstanceNICAdd: Codable, Sendable, Equatable {
    /// The NIC in the CLI form: `network=NAME[,mac=…][,ip=…]` or `user[,hostfwd=…][,mac=…]`.
    public var nic: String

    public init(nic: String) { self.nic = nic }
}
