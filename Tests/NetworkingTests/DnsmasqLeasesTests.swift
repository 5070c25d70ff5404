import Foundation
import JoistCore
import Networking
import Testing

@Suite("dnsmasq leases")
struct DnsmasqLeasesTests {
    /// A lease file as dnsmasq 2.90 writes it, with a DHCPv6 part and lines it never writes.
    static let file = """
        1767225600 52:54:00:0e:f0:e0 10.1.2.57 web-1 01:52:54:00:0e:f0:e0
        1767225000 52:54:00:aa:00:02 10.1.2.58 * *
        0 52:54:00:aa:00:03 10.1.2.11 dns-1 *
        1767220000 52:54:00:0e:f0:e0 10.1.2.60 * 01:52:54:00:0e:f0:e0
        garbage
        1767225600 52:54:00:aa:00:04 10.1.2.300 bad-ip *
        1767225600 01:00:5e:00:00:01 10.1.2.61 multicast *
        -5 52:54:00:aa:00:05 10.1.2.62 negative *
        1767225600 20:00:01:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00 10.1.2.63 infiniband *
        1767225600 52:54:00:aa:00:06 10.1.2.64
        1767225600 52:54:00:aa:00:07 10.1.2.65 extra fields here
        duid 00:01:00:01:2c:5f:1a:2b:52:54:00:12:34:56
        1767225600 1234567 fd00::10 web-1 00:01:00:01:2c:5f:1a:2b:52:54:00:0e:f0:e0

        """

    static func mac(_ text: String) throws -> MACAddress { try MACAddress(parsing: text) }

    @Test("IPv4 leases parse in file order with expiry, MAC, address, and hostname and client id unless '*'")
    func parses() throws {
        let leases = DnsmasqLeases.parse(Self.file)
        #expect(leases == [
            .init(expiry: Date(timeIntervalSince1970: 1_767_225_600), mac: try Self.mac("52:54:00:0e:f0:e0"), ip: IPv4Address(10, 1, 2, 57),
                  hostname: "web-1", clientID: "01:52:54:00:0e:f0:e0"),
            .init(expiry: Date(timeIntervalSince1970: 1_767_225_000), mac: try Self.mac("52:54:00:aa:00:02"), ip: IPv4Address(10, 1, 2, 58)),
            .init(expiry: nil, mac: try Self.mac("52:54:00:aa:00:03"), ip: IPv4Address(10, 1, 2, 11), hostname: "dns-1"),
            .init(expiry: Date(timeIntervalSince1970: 1_767_220_000), mac: try Self.mac("52:54:00:0e:f0:e0"), ip: IPv4Address(10, 1, 2, 60),
                  clientID: "01:52:54:00:0e:f0:e0"),
        ])
    }

    @Test("nothing to parse is no leases", arguments: ["", "\n\n", "duid 00:01\n"])
    func empty(text: String) {
        #expect(DnsmasqLeases.parse(text).isEmpty)
    }

    @Test("a MAC's addresses, in file order; ended leases only drop out when asked about a moment")
    func addresses() throws {
        let leases = DnsmasqLeases.parse(Self.file)
        let web = try Self.mac("52:54:00:0e:f0:e0")
        #expect(DnsmasqLeases.addresses(for: web, in: leases) == [IPv4Address(10, 1, 2, 57), IPv4Address(10, 1, 2, 60)])
        let now = Date(timeIntervalSince1970: 1_767_222_000)
        #expect(DnsmasqLeases.addresses(for: web, in: leases, at: now) == [IPv4Address(10, 1, 2, 57)])
        #expect(DnsmasqLeases.addresses(for: try Self.mac("52:54:00:aa:00:03"), in: leases, at: .distantFuture) == [IPv4Address(10, 1, 2, 11)])
        #expect(DnsmasqLeases.addresses(for: try Self.mac("52:54:00:aa:00:04"), in: leases).isEmpty)
        let twice = leases + leases
        #expect(DnsmasqLeases.addresses(for: web, in: twice) == [IPv4Address(10, 1, 2, 57), IPv4Address(10, 1, 2, 60)])
    }
}
