import JoistCore
import Networking
import Testing

@Suite("Port forwards to instances")
struct NetworkForwardTests {
    static let vm1 = IPv4Address(10, 77, 0, 92)

    @Test("an id reads back as it prints", arguments: ["tcp-0.0.0.0-8080", "udp-192.168.1.10-53", "tcp-127.0.0.1-65535"])
    func idRoundTrip(text: String) throws {
        #expect(try NetworkForward.ID(parsing: text).description == text)
    }

    @Test("malformed ids, listen addresses and targets are refused, showing the form", arguments: [
        "tcp-0.0.0.0", "sctp-0.0.0.0-80", "tcp-0.0.0.0-0", "tcp-0.0.0.0-65536", "tcp-1.2.3-80", "tcp-0.0.0.0-+80", "tcp--0.0.0.0-80",
    ])
    func badIDs(text: String) {
        let refused = #expect(throws: JoistError.self) { try NetworkForward.ID(parsing: text) }
        #expect(refused?.message.contains("write PROTO-ADDRESS-PORT, e.g. tcp-0.0.0.0-8080") == true)
    }

    @Test("--listen ADDR:PORT and --to INSTANCE:PORT")
    func parsing() throws {
        let listen = try NetworkForward.parseListen("0.0.0.0:8080")
        #expect(listen.address == .any && listen.port == 8080)
        let target = try NetworkForward.parseTarget("web-1:80")
        #expect(target.instance == "web-1" && target.port == 80)
        for bad in ["0.0.0.0", "0.0.0.0:", "localhost:80", "10.0.0.1:0", "10.0.0.1:99999", ":80"] {
            #expect(throws: JoistError.self, "\(bad)") { try NetworkForward.parseListen(bad) }
        }
        for bad in ["web-1", "web-1:", ":80", "web_1:80", "web-1:http"] {
            #expect(throws: JoistError.self, "\(bad)") { try NetworkForward.parseTarget(bad) }
        }
    }

    @Test("a forward resolves to the address of the instance's NIC on its network")
    func resolves() throws {
        let nics = [NICSpec(), NICSpec(network: "other", ip: IPv4Address(10, 78, 0, 5)), NICSpec(network: "lan", ip: Self.vm1)]
        let forward = try NetworkForward.resolve(
            network: "lan", proto: .udp, listenAddress: .any, listenPort: 5353, project: "team", instance: "vm1", targetPort: 53, nics: nics)
        #expect(forward.targetAddress == Self.vm1)
        #expect(forward.id.description == "udp-0.0.0.0-5353")
        #expect(forward.description == "udp 0.0.0.0:5353 -> team/vm1:53")
        #expect(forward.portForward == PortForward(proto: .udp, listenAddress: .any, listenPort: 5353, targetAddress: Self.vm1, targetPort: 53))
    }

    @Test("a missing instance, no NIC on the network, a NIC without an address and port 0 are refused, naming what is wrong")
    func refusals() {
        func resolve(_ nics: [NICSpec]?, port: UInt16 = 80, project: String = "default") throws(JoistError) -> NetworkForward {
            try NetworkForward.resolve(
                network: "lan", proto: .tcp, listenAddress: .any, listenPort: 8080, project: project, instance: "vm1", targetPort: port, nics: nics)
        }
        let missing = #expect(throws: JoistError.self) { try resolve(nil, project: "team") }
        #expect(missing?.code == .notFound && missing?.message == "instance vm1 in project team not found")
        let elsewhere = #expect(throws: JoistError.self) { try resolve([NICSpec(), NICSpec(network: "other", ip: Self.vm1)]) }
        #expect(elsewhere?.message == "instance vm1 has no NIC on network lan; a port forward reaches an instance through the network it forwards on")
        let bridged = #expect(throws: JoistError.self) { try resolve([NICSpec(network: "lan")]) }
        #expect(bridged?.message == "instance vm1's NIC on network lan has no address of Joist's; port forwards need a nat network")
        let zero = #expect(throws: JoistError.self) { try resolve([NICSpec(network: "lan", ip: Self.vm1)], port: 0) }
        #expect(zero?.message == "cannot forward to port 0 of instance vm1: ports are from 1 to 65535")
    }
}
