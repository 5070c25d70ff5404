import Foundation
import JoistCore
import Networking
import Testing

@Suite("Network configs")
struct NetworkConfigTests {
    @Test("valid configs of each kind pass, with or without a subnet on hosted kinds", arguments: [
        NetworkConfig(name: "web", kind: .nat),
        NetworkConfig(name: "web", kind: .nat, subnet: try? IPv4Subnet(parsing: "10.1.0.0/16")),
        NetworkConfig(name: "lab", kind: .isolated, subnet: try? IPv4Subnet(parsing: "192.168.77.0/29"), description: "test rig"),
        NetworkConfig(name: "lan", kind: .bridge, parent: "enp3s0.100"),
        NetworkConfig(name: "lan", kind: .bridge, parent: "br-0123456789a"),
    ])
    func valid(config: NetworkConfig) throws {
        try config.validate()
    }

    @Test("each rule is refused with a message that says what to do", arguments: [
        (NetworkConfig(name: "web_1", kind: .nat), "network name 'web_1' may only contain ASCII letters, digits and '-'"),
        (NetworkConfig(name: "", kind: .nat), "network name must not be empty"),
        (NetworkConfig(name: "web", kind: .nat, parent: "eth0"),
         "network web is nat: only bridge networks take a parent interface (got 'eth0')"),
        (NetworkConfig(name: "lan", kind: .bridge),
         "bridge network lan needs a parent: the host interface or bridge its instances join, e.g. --parent br0"),
        (NetworkConfig(name: "lan", kind: .bridge, subnet: try? IPv4Subnet(parsing: "10.1.2.0/24"), parent: "br0"),
         "network lan is a bridge to a host interface: it takes no subnet (got 10.1.2.0/24); the LAN assigns addresses"),
        (NetworkConfig(name: "web", kind: .nat, subnet: try? IPv4Subnet(parsing: "10.0.0.0/8")),
         "subnet 10.0.0.0/8 of network web must have a prefix from /16 to /29"),
        (NetworkConfig(name: "web", kind: .isolated, subnet: try? IPv4Subnet(parsing: "10.1.2.0/30")),
         "subnet 10.1.2.0/30 of network web must have a prefix from /16 to /29"),
        (NetworkConfig(name: "web", kind: .nat, subnet: try? IPv4Subnet(parsing: "127.0.5.0/24")),
         "subnet 127.0.5.0/24 of network web cannot be used: 127.0.0.0/8 is the host's loopback"),
        (NetworkConfig(name: "web", kind: .nat, subnet: try? IPv4Subnet(parsing: "169.254.1.0/24")),
         "subnet 169.254.1.0/24 of network web cannot be used: 169.254.0.0/16 is link-local"),
        (NetworkConfig(name: "web", kind: .nat, subnet: try? IPv4Subnet(parsing: "239.1.0.0/16")),
         "subnet 239.1.0.0/16 of network web cannot be used: 224.0.0.0/4 is multicast"),
        (NetworkConfig(name: "lan", kind: .bridge, parent: "jb-0123456789ab"),
         "network lan cannot use jb-0123456789ab as its parent: Joist manages that link for another network or NIC"),
        (NetworkConfig(name: "web", kind: .nat, description: String(repeating: "x", count: 1025)),
         "the description of network web is longer than 1024 characters"),
    ])
    func invalid(config: NetworkConfig, message: String) {
        #expect(throws: JoistError.invalidArgument(message)) { try config.validate() }
    }

    @Test("a hosted network is complete only with its subnet")
    func complete() throws {
        #expect(throws: JoistError.invalidArgument("network web is nat but has no subnet")) {
            try NetworkConfig(name: "web", kind: .nat).validateComplete()
        }
        try NetworkConfig(name: "web", kind: .nat, subnet: Samples.subnet("10.1.2.0/24")).validateComplete()
        try NetworkConfig(name: "lan", kind: .bridge, parent: "eth0").validateComplete()
    }

    @Test("parents must be Linux interface names", arguments: [
        "", "sixteen-bytes-xx", "eth0/1", "eth 0", "eth0:1", "eth%d", ".", "..", "eth\t0", "eth\"0", "éth0", "eth0\n",
    ])
    func badParent(parent: String) {
        #expect(throws: JoistError.self) { try NetworkConfig(name: "lan", kind: .bridge, parent: parent).validate() }
    }

    @Test("interface names up to 15 bytes with dots, dashes and underscores are fine", arguments: [
        "eth0", "br0", "enp3s0.100", "wlp2s0", "fifteen-bytes-x", "a_b", "v@lan",
    ])
    func goodInterfaceName(name: String) throws {
        #expect(try InterfaceName.validate(name) == name)
    }

    @Test("a config round-trips through JSON with the subnet as a string; description and subnet may be absent")
    func codable() throws {
        let config = NetworkConfig(name: "web", kind: .nat, subnet: try Samples.subnet("10.1.2.0/24"), description: "front")
        let json = try JSONEncoder().encode(config)
        #expect(String(decoding: json, as: UTF8.self).contains(#""subnet":"10.1.2.0\/24""#))
        #expect(try JSONDecoder().decode(NetworkConfig.self, from: json) == config)
        let minimal = try JSONDecoder().decode(NetworkConfig.self, from: Data(#"{"name":"lan","kind":"bridge","parent":"br0"}"#.utf8))
        #expect(minimal == NetworkConfig(name: "lan", kind: .bridge, parent: "br0"))
        #expect(throws: (any Error).self) {
            try JSONDecoder().decode(NetworkConfig.self, from: Data(#"{"name":"x","kind":"vxlan"}"#.utf8))
        }
    }

    @Test("a layout derives the bridge, gateway and DHCP range, and what the kind routes")
    func layouts() throws {
        let web = try Samples.web()
        #expect(web.bridge == LinkNames.bridge(network: "web"))
        #expect(web.ownsBridge && web.masquerades && web.isRouted)
        #expect(web.gateway?.description == "10.1.2.1")
        #expect(web.addressing?.dhcpRange == IPv4Address(10, 1, 2, 2)...IPv4Address(10, 1, 2, 254))
        #expect(web.addressing?.dhcpRangeCount == 253)
        #expect(web.domain == "web.joist")

        let lab = try Samples.lab()
        #expect(lab.ownsBridge && !lab.masquerades && !lab.isRouted)
        #expect(lab.addressing?.dhcpRange == IPv4Address(192, 168, 77, 2)...IPv4Address(192, 168, 77, 14))

        let lan = try Samples.lan()
        #expect(lan.bridge == "br0")
        #expect(!lan.ownsBridge && !lan.masquerades && !lan.isRouted)
        #expect(lan.addressing == nil && lan.gateway == nil)
    }

    @Test("a layout needs a complete, valid config")
    func layoutNeedsSubnet() {
        #expect(throws: JoistError.invalidArgument("network web is nat but has no subnet")) {
            try NetworkLayout(NetworkConfig(name: "web", kind: .nat))
        }
        #expect(throws: JoistError.self) { try NetworkLayout(NetworkConfig(name: "bad name", kind: .bridge, parent: "br0")) }
    }
}
