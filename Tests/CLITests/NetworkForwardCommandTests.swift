import ArgumentParser
import Foundation
import JoistAPI
import JoistCore
import Networking
import Testing

@testable import CLI

/// `joist network forward …` without a daemon: what add and remove send, and how forwards are shown.
@Suite("joist network forward")
struct NetworkForwardCommandTests {
    @Test("add sends the listen address and port, the instance and its port, and the protocol")
    func addRequest() throws {
        let add = try NetworkForwardCommand.Add.parse(["lan", "--listen", "0.0.0.0:8080", "--to", "vm1:80"])
        #expect(try add.request() == NetworkForwardCreate(proto: .tcp, listenAddress: .any, listenPort: 8080, instance: "vm1", targetPort: 80))
        let udp = try NetworkForwardCommand.Add.parse(["lan", "--listen", "127.0.0.1:5353", "--to", "dns-1:53", "--proto", "udp"])
        #expect(try udp.request() == NetworkForwardCreate(
            proto: .udp, listenAddress: IPv4Address(127, 0, 0, 1), listenPort: 5353, instance: "dns-1", targetPort: 53))
        #expect(throws: JoistError.self) { try NetworkForwardCommand.Add.parse(["lan", "--listen", "8080", "--to", "vm1:80"]).request() }
        #expect(throws: JoistError.self) { try NetworkForwardCommand.Add.parse(["lan", "--listen", "0.0.0.0:8080", "--to", "vm1"]).request() }
        #expect(throws: (any Error).self) { try NetworkForwardCommand.Add.parse(["lan", "--listen", "0.0.0.0:1", "--to", "vm1:1", "--proto", "sctp"]) }
    }

    @Test("remove names forwards by id or by --listen and --proto; with neither it refuses")
    func removeIDs() throws {
        let byID = try NetworkForwardCommand.Remove.parse(["lan", "tcp-0.0.0.0-8080", "udp-127.0.0.1-53"])
        #expect(try byID.forwardIDs().map(\.description) == ["tcp-0.0.0.0-8080", "udp-127.0.0.1-53"])
        let byListen = try NetworkForwardCommand.Remove.parse(["lan", "--listen", "0.0.0.0:5353", "--proto", "udp"])
        #expect(try byListen.forwardIDs().map(\.description) == ["udp-0.0.0.0-5353"])
        #expect(throws: (any Error).self) { try NetworkForwardCommand.Remove.parse(["lan"]).forwardIDs() }
        #expect(throws: JoistError.self) { try NetworkForwardCommand.Remove.parse(["lan", "tcp:8080"]).forwardIDs() }
    }

    @Test("list shows one forward a line, naming another project's instance with its project")
    func list() throws {
        let web = NetworkForwardInfo(
            NetworkForward(listenAddress: .any, listenPort: 8080, project: "default", instance: "vm1", targetPort: 80, targetAddress: IPv4Address(10, 77, 0, 89)),
            network: "lan")
        let dns = NetworkForwardInfo(
            NetworkForward(
                proto: .udp, listenAddress: IPv4Address(127, 0, 0, 1), listenPort: 53, project: "team", instance: "dns", targetPort: 53,
                targetAddress: IPv4Address(10, 77, 0, 7)),
            network: "lan")
        #expect(try NetworkForwardCommand.List.render([web, dns], as: .table) == """
            ID                PROTO  LISTEN        INSTANCE            TARGET
            tcp-0.0.0.0-8080  tcp    0.0.0.0:8080  vm1                 10.77.0.89:80
            udp-127.0.0.1-53  udp    127.0.0.1:53  dns (project team)  10.77.0.7:53

            """)
        let json = try NetworkForwardCommand.List.render([web], as: .json)
        #expect(json.contains(#""id" : "tcp-0.0.0.0-8080""#) || json.contains(#""id": "tcp-0.0.0.0-8080""#), "\(json)")
    }

    @Test("the forward group is under joist network, with its own command names")
    func names() {
        #expect(NetworkCommand.configuration.subcommands.contains { $0 == NetworkForwardCommand.self })
        #expect(NetworkForwardCommand.configuration.subcommands.map { $0.configuration.commandName } == ["add", "list", "remove"])
    }
}
