import Foundation
import JoistCore
import Networking
import Testing

@Suite("IPv4 subnets")
struct AddressTests {
    @Test("a subnet knows its netmask, broadcast, hosts and size")
    func subnetFacts() throws {
        let subnet = try IPv4Subnet(parsing: "10.1.2.0/24")
        #expect(subnet.network == IPv4Address(10, 1, 2, 0))
        #expect(subnet.prefixLength == 24)
        #expect(subnet.netmask.description == "255.255.255.0")
        #expect(subnet.broadcast.description == "10.1.2.255")
        #expect(subnet.addressCount == 256)
        #expect(subnet.usableCount == 254)
        #expect(subnet.host(1)?.description == "10.1.2.1")
        #expect(subnet.host(254)?.description == "10.1.2.254")
        #expect(subnet.lastUsable?.description == "10.1.2.254")
        #expect(subnet.host(0) == nil)
        #expect(subnet.host(255) == nil)
        #expect(subnet.description == "10.1.2.0/24")
    }

    @Test("the usable count of each prefix", arguments: [(16, UInt64(65_534)), (24, 254), (29, 6), (30, 2), (31, 0), (32, 0), (0, 4_294_967_294)])
    func usableCounts(prefix: Int, usable: UInt64) throws {
        let subnet = try IPv4Subnet(network: .any, prefixLength: prefix)
        #expect(subnet.usableCount == usable)
        #expect(subnet.lastUsable == (usable == 0 ? nil : IPv4Address(UInt32(usable))))
    }

    @Test("host bits, bad prefixes and malformed text are refused", arguments: [
        "10.1.2.5/24", "10.1.2.0/33", "10.1.2.0/-1", "10.1.2.0/024", "10.1.2.0", "10.1.2.0/", "/24", "10.1.2.0/24/1",
        "10.1.2.0/ 24", "10.1.0.0/15",
    ])
    func refusesSubnet(text: String) {
        #expect(throws: JoistError.self) { try IPv4Subnet(parsing: text) }
    }

    @Test("a subnet with host bits set names the subnet the user probably meant")
    func hostBitsMessage() {
        #expect(throws: JoistError.invalidArgument("invalid subnet '10.1.2.5/24': host bits are set; the subnet is 10.1.2.0/24")) {
            try IPv4Subnet(parsing: "10.1.2.5/24")
        }
    }

    @Test("contains covers network and broadcast; containsHost only the hosts between them")
    func contains() throws {
        let subnet = try IPv4Subnet(parsing: "192.168.77.0/28")
        #expect(subnet.contains(IPv4Address(192, 168, 77, 0)))
        #expect(subnet.contains(IPv4Address(192, 168, 77, 15)))
        #expect(!subnet.contains(IPv4Address(192, 168, 77, 16)))
        #expect(!subnet.contains(IPv4Address(192, 168, 76, 255)))
        #expect(!subnet.containsHost(IPv4Address(192, 168, 77, 0)))
        #expect(!subnet.containsHost(IPv4Address(192, 168, 77, 15)))
        #expect(subnet.containsHost(IPv4Address(192, 168, 77, 14)))
    }

    @Test("subnets overlap when one holds the other; neighbours do not", arguments: [
        ("10.1.2.0/24", "10.1.2.0/24", true), ("10.1.0.0/16", "10.1.2.0/24", true), ("10.1.2.0/24", "10.1.0.0/16", true),
        ("10.1.2.0/24", "10.1.3.0/24", false), ("10.1.2.0/25", "10.1.2.128/25", false), ("0.0.0.0/0", "192.0.2.0/24", true),
        ("10.1.2.0/24", "10.1.2.255/32", true), ("10.1.2.0/24", "10.1.1.255/32", false),
    ])
    func overlaps(a: String, b: String, expected: Bool) throws {
        #expect(try IPv4Subnet(parsing: a).overlaps(IPv4Subnet(parsing: b)) == expected)
    }

    @Test("subnets are JSON strings beside addresses, and bad strings do not decode")
    func codable() throws {
        struct Pair: Codable, Equatable { var address: IPv4Address; var subnet: IPv4Subnet }
        let pair = Pair(address: IPv4Address(10, 1, 2, 3), subnet: try IPv4Subnet(parsing: "10.1.2.0/24"))
        let json = String(decoding: try JSONEncoder().encode(pair), as: UTF8.self)
        #expect(json.contains(#""address":"10.1.2.3""#))
        #expect(json.contains(#""subnet":"10.1.2.0\/24""#))
        #expect(try JSONDecoder().decode(Pair.self, from: Data(json.utf8)) == pair)
        let bad = Data(#"{"address":"10.1.2.3","subnet":"10.1.2.3/24"}"#.utf8)
        #expect(throws: (any Error).self) { try JSONDecoder().decode(Pair.self, from: bad) }
    }
}
