import ArgumentParser
import Foundation
import JoistAPI
import JoistCore
import Testing

@testable import CLI

/// `joist nic …`, `joist list` and `joist info` without a daemon: how NICs and their addresses show.
@Suite("joist nic, and addresses in list and info")
struct NICCommandTests {
    static let mac = MACAddress(qemuSuffix: 0x0e_f0e0)
    static let date = Date(timeIntervalSince1970: 1_760_000_000)
    static let nics = [
        InstanceNIC(name: "eth0", mode: .user),
        InstanceNIC(
            name: "eth2", mode: .network, network: "lan", mac: mac, ip: IPv4Address(10, 1, 2, 10),
            addresses: [IPv4Address(10, 1, 2, 10), IPv4Address(10, 1, 2, 57)]),
        InstanceNIC(name: "eth3", mode: .network, network: "lab", mac: MACAddress(qemuSuffix: 1)),
    ]
    static let instance = Instance(
        name: "web", state: .running, config: InstanceSpec(name: "web", kernel: "/k"), pid: 42, accelerator: .tcg,
        startedAt: date, createdAt: date, nics: nics)

    @Test("nic list: one row per NIC, its leases comma-separated")
    func list() throws {
        #expect(try NICCommand.List.render(Self.nics, as: .table) == """
            NAME  NETWORK  MAC                RESERVED-IP  IPV4
            eth0  user     -                  -            -
            eth2  lan      52:54:00:0e:f0:e0  10.1.2.10    10.1.2.10,10.1.2.57
            eth3  lab      52:54:00:00:00:01  -            -

            """)
        #expect(try NICCommand.List.render(Self.nics, as: .csv).contains("eth2,lan,52:54:00:0e:f0:e0,10.1.2.10,\"10.1.2.10,10.1.2.57\""))
    }

    @Test("list shows each instance's leased addresses in a column")
    func instanceList() throws {
        let table = try List.render([Self.instance], as: .table, now: Self.date.addingTimeInterval(61))
        let lines = table.split(separator: "\n")
        #expect(lines[0].hasPrefix("NAME  STATE    IPV4                 CPUS"))
        #expect(lines[1].hasPrefix("web   RUNNING  10.1.2.10,10.1.2.57  1"))
        let idle = Instance(name: "w", state: .stopped, config: InstanceSpec(name: "w"), createdAt: Self.date)
        #expect(try List.render([idle], as: .csv).split(separator: "\n")[1].hasPrefix("w,STOPPED,-,"))
    }

    @Test("info shows each NIC's network, MAC, reserved and leased addresses")
    func info() {
        let text = Info.text(Self.instance, now: Self.date)
        #expect(text.hasSuffix("""
            NICs:
              eth0: user networking
              eth2: network lan, MAC 52:54:00:0e:f0:e0, reserved 10.1.2.10, leased 10.1.2.10,10.1.2.57
              eth3: network lab, MAC 52:54:00:00:00:01, reserved -, leased -

            """))
    }

    @Test("nic add sends the NIC in its text form; a malformed one is refused before anything is sent")
    func parse() throws {
        let add = try NICCommand.Add.parse(["web", "network=lan,ip=10.1.2.20"])
        #expect(add.instance == "web" && add.nic == "network=lan,ip=10.1.2.20")
        let remove = try NICCommand.Remove.parse(["web", "eth1"])
        #expect(remove.nic == "eth1")
    }
}
