public import Foundation
public import JoistCore

/// dnsmasq's lease file (`DnsmasqPaths.leaseFile`): where `joist list` and `joist info` find the
/// addresses guests were given.
///
/// dnsmasq rewrites the file whole on every change, one IPv4 lease a line:
/// `EXPIRY MAC IP HOSTNAME CLIENT-ID`, with `*` for an unknown hostname or client id and an expiry
/// of 0 for a lease that never ends. Other lines (the `duid` line and DHCPv6 leases, hardware
/// addresses that are not Ethernet MACs, anything torn or garbled) are skipped, since a display
/// of addresses must not fail on one odd line.
public enum DnsmasqLeases {
    /// One IPv4 lease.
    public struct Lease: Sendable, Equatable {
        /// When the lease ends; `nil` for one that never does.
        public var expiry: Date?
        public var mac: MACAddress
        public var ip: IPv4Address
        /// The name the guest's DHCP client sent, if any.
        public var hostname: String?
        /// The client identifier the guest sent, if any (colon-separated hex).
        public var clientID: String?

        public init(expiry: Date?, mac: MACAddress, ip: IPv4Address, hostname: String? = nil, clientID: String? = nil) {
            self.expiry = expiry
            self.mac = mac
            self.ip = ip
            self.hostname = hostname
            self.clientID = clientID
        }
    }

    /// The leases in `text`, in file order, skipping lines that are not IPv4 leases.
    public static func parse(_ text: String) -> [Lease] {
        text.split(whereSeparator: \.isNewline).compactMap(lease)
    }

    /// The addresses leased to `mac`, in file order, without repeats; with `now`, leases that had
    /// ended by then are left out (dnsmasq drops them from the file only when it next writes it).
    public static func addresses(for mac: MACAddress, in leases: [Lease], at now: Date? = nil) -> [IPv4Address] {
        var seen: Set<IPv4Address> = []
        return leases.filter { lease in
            guard lease.mac == mac else { return false }
            if let now, let expiry = lease.expiry, expiry <= now { return false }
            return seen.insert(lease.ip).inserted
        }.map(\.ip)
    }

    private static func lease(_ line: Substring) -> Lease? {
        let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard (4...5).contains(fields.count), let seconds = expirySeconds(fields[0]),
            let mac = try? MACAddress(parsing: String(fields[1])), let ip = IPv4Address.parse(fields[2])
        else { return nil }
        return Lease(
            expiry: seconds == 0 ? nil : Date(timeIntervalSince1970: TimeInterval(seconds)), mac: mac, ip: IPv4Address(ip),
            hostname: known(fields[3]), clientID: fields.count == 5 ? known(fields[4]) : nil)
    }

    /// Decimal seconds since the epoch, ASCII digits only.
    private static func expirySeconds(_ text: Substring) -> UInt64? {
        guard text.utf8.count <= 19, text.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
        return UInt64(text)
    }

    private static func known(_ field: Substring) -> String? {
        field == "*" ? nil : String(field)
    }
}
