public import JoistCore

/// One NIC as dnsmasq knows it: its MAC address, the name its instance resolves as, and a fixed
/// address when the user gave one (`--nic network=web,ip=10.1.2.10`).
///
/// Every NIC on a hosted network gets a reservation, with or without an address, so its instance
/// resolves by name even when the guest's DHCP client sends no hostname.
public struct DHCPReservation: Codable, Sendable, Equatable {
    public var mac: MACAddress
    public var ip: IPv4Address?
    /// The instance's name (a `ResourceName`, which is a valid DNS label).
    public var hostname: String

    public init(mac: MACAddress, ip: IPv4Address? = nil, hostname: String) {
        self.mac = mac
        self.ip = ip
        self.hostname = hostname
    }

    /// The line of dnsmasq's `dhcp-hostsfile` (the syntax of `--dhcp-host`): `MAC[,IP],HOSTNAME`.
    public var hostsLine: String {
        ([mac.description] + (ip.map { [$0.description] } ?? []) + [hostname]).joined(separator: ",")
    }

    /// Checks a network's reservations together: valid hostnames, fixed addresses that a guest of
    /// the network may hold, and no MAC, address or hostname given twice (dnsmasq would hand one
    /// of the two NICs something else without saying so).
    public static func validate(_ reservations: [DHCPReservation], on layout: NetworkLayout) throws(JoistError) {
        guard let addressing = layout.addressing else {
            throw .invalidArgument("network \(layout.name) is a bridge to \(layout.bridge): its LAN assigns addresses, not Joist")
        }
        var macs: [MACAddress: String] = [:]
        var ips: [IPv4Address: String] = [:]
        var hostnames: Set<String> = []
        for reservation in reservations {
            let name = try ResourceName.validate(reservation.hostname, kind: "hostname")
            if let ip = reservation.ip {
                try check(ip, for: name, on: layout, addressing: addressing)
                if let other = ips.updateValue(name, forKey: ip) {
                    throw .invalidArgument("\(other) and \(name) both ask for \(ip) on network \(layout.name)")
                }
            }
            if let other = macs.updateValue(name, forKey: reservation.mac) {
                throw .invalidArgument("\(other) and \(name) both use MAC address \(reservation.mac) on network \(layout.name)")
            }
            guard hostnames.insert(name.lowercased()).inserted else {
                throw .invalidArgument(
                    "\(name) has two NICs on network \(layout.name): a name resolves to one address, so give each NIC its own network")
            }
        }
    }

    private static func check(_ ip: IPv4Address, for name: String, on layout: NetworkLayout, addressing: NetworkAddressing)
        throws(JoistError)
    {
        let prefix = "cannot reserve \(ip) for \(name) on network \(layout.name)"
        guard addressing.subnet.contains(ip) else {
            throw .invalidArgument("\(prefix): it is outside the network's subnet \(addressing.subnet)")
        }
        guard ip != addressing.gateway else { throw .invalidArgument("\(prefix): it is the host's gateway address") }
        guard addressing.isGuestAddress(ip) else {
            throw .invalidArgument("\(prefix): it is the subnet's network or broadcast address")
        }
    }
}
