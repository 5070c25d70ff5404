import ArgumentParser
import Foundation
import JoistAPI
import JoistCore
import Networking
import Testing

@testable import CLI

/// `joist network …` without a daemon: what a create sends, and how networks are shown.
@Suite("joist network")
struct NetworkCommandTests {
    @Test("create sends the name, type and only the options given")
    func createRequest() throws {
        let nat = try NetworkCommand.Create.parse(["web", "--type", "nat", "--subnet", "10.20.30.0/24", "--description", "front ends"])
        #expect(nat.request == NetworkCreate(
            name: "web", type: .nat, subnet: try IPv4Subnet(parsing: "10.20.30.0/24"), description: "front ends"))
        let lan = try NetworkCommand.Create.parse(["lan", "--type", "bridge", "--parent", "br0"])
        #expect(lan.request == NetworkCreate(name: "lan", type: .bridge, parent: "br0"))
        let body = String(decoding: try APICoding.encoder().encode(lan.request), as: UTF8.self)
        #expect(!body.contains("subnet") && !body.contains("description"), "absent options are left out: \(body)")
    }

    @Test("a malformed subnet or an unknown type is refused before anything is sent, saying why")
    func refusals() {
        let hostBits = #expect(throws: (any Error).self) {
            try NetworkCommand.Create.parse(["web", "--type", "nat", "--subnet", "10.1.2.5/24"])
        }
        #expect(hostBits.map { NetworkCommand.Create.message(for: $0) }?.contains("host bits are set; the subnet is 10.1.2.0/24") == true)
        let type = #expect(throws: (any Error).self) { try NetworkCommand.Create.parse(["web", "--type", "mesh"]) }
        #expect(type.map { NetworkCommand.Create.message(for: $0) }?.contains("mesh") == true)
        #expect(throws: (any Error).self) { try NetworkCommand.Create.parse(["web"]) }
    }

    static let web = NetworkInfo(
        config: NetworkConfig(name: "web", kind: .nat, subnet: try! IPv4Subnet(parsing: "10.20.30.0/24"), description: "front ends"),
        bridge: "jb-0123456789ab", gateway: try! IPv4Address(parsing: "10.20.30.1"),
        dhcpRange: NetworkAddressRange(first: try! IPv4Address(parsing: "10.20.30.2"), last: try! IPv4Address(parsing: "10.20.30.254")),
        usedBy: [NetworkUser(project: "default", name: "web-1"), NetworkUser(project: "team", name: "db")])
    static let lan = NetworkInfo(config: NetworkConfig(name: "lan", kind: .bridge, parent: "br0"), bridge: "br0")

    @Test("list shows one network a line; bridge networks have no subnet or gateway")
    func list() throws {
        #expect(try NetworkCommand.List.render([Self.lan, Self.web], as: .table) == """
            NAME  TYPE    SUBNET         GATEWAY     BRIDGE           USED-BY  DESCRIPTION
            lan   bridge  -              -           br0              0        -
            web   nat     10.20.30.0/24  10.20.30.1  jb-0123456789ab  2        front ends

            """)
        let csv = try NetworkCommand.List.render([Self.web], as: .csv)
        #expect(csv.hasSuffix("web,nat,10.20.30.0/24,10.20.30.1,jb-0123456789ab,2,front ends\n"))
    }

    @Test("info shows the addresses, the DNS domain and who uses the network")
    func info() {
        #expect(NetworkCommand.Info.text(Self.web) == """
            Name: web
            Type: nat
            Description: front ends
            Bridge: jb-0123456789ab
            Subnet: 10.20.30.0/24
            Gateway: 10.20.30.1
            DHCP range: 10.20.30.2 - 10.20.30.254
            DNS domain: web.joist
            Used by:
              web-1
              db (project team)

            """)
        #expect(NetworkCommand.Info.text(Self.lan) == "Name: lan\nType: bridge\nDescription: -\nParent: br0\nUsed by: -\n")
        #expect(NetworkCommand.Create.summary(Self.web) == "nat, 10.20.30.0/24 on jb-0123456789ab")
        #expect(NetworkCommand.Create.summary(Self.lan) == "bridge to br0")
    }

    @Test("--vlan puts a bridge network on a VLAN of its parent; info and the summary show the VLAN and Joist's bridge")
    func vlan() throws {
        let create = try NetworkCommand.Create.parse(["lan10", "--type", "bridge", "--parent", "eth0", "--vlan", "10"])
        #expect(create.request == NetworkCreate(name: "lan10", type: .bridge, parent: "eth0", vlan: 10))
        #expect(String(decoding: try APICoding.encoder().encode(create.request), as: UTF8.self).contains(#""vlan":10"#))
        #expect(throws: (any Error).self) { try NetworkCommand.Create.parse(["lan10", "--type", "bridge", "--parent", "eth0", "--vlan", "ten"]) }
        let info = NetworkInfo(config: NetworkConfig(name: "lan10", kind: .bridge, parent: "eth0", vlan: 10), bridge: "jb-0123456789ab")
        #expect(NetworkCommand.Info.text(info)
            == "Name: lan10\nType: bridge\nDescription: -\nParent: eth0\nVLAN: 10\nBridge: jb-0123456789ab\nUsed by: -\n")
        #expect(NetworkCommand.Create.summary(info) == "bridge to VLAN 10 of eth0 on jb-0123456789ab")
    }
}
