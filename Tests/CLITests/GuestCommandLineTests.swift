import ArgumentParser
import Foundation
import JoistAPI
import Testing

@testable import CLI

@Suite("joist exec, joist file and the guest section of joist info")
struct GuestCommandLineTests {
    @Test("exec parses the command after --, repeated --env and a timeout with a unit")
    func parsesExec() throws {
        let exec = try Exec.parse(["web1", "--env", "A=1", "--env", "B=x=y", "--cwd", "/srv", "--timeout", "5m", "--", "sh", "-c", "echo --env"])
        #expect(exec.name == "web1" && exec.command == ["sh", "-c", "echo --env"] && exec.cwd == "/srv")
        #expect(try Exec.variables(exec.environment) == ["A": "1", "B": "x=y"])
        #expect(try Exec.seconds(exec.timeout) == 300)
    }

    @Test("bad exec input is refused before any request", arguments: [
        ["web1"], ["web1", "--env", "NOVALUE", "--", "true"], ["web1", "--env", "=1", "--", "true"], ["web1", "--timeout", "0s", "--", "true"],
        ["web1", "--timeout", "25h", "--", "true"], ["web1", "--timeout", "soon", "--", "true"], ["web1", "--stdin", "--no-stdin", "--", "true"],
    ])
    func refusesExec(arguments: [String]) {
        #expect(throws: (any Error).self) { try Exec.parse(arguments) }
    }

    @Test("INSTANCE/PATH splits at the first slash; the path is sent as a query value")
    func fileTargets() throws {
        #expect(try FileCommand.target("web1/etc/motd") == ("web1", "/etc/motd"))
        for bad in ["web1", "/etc/motd", "web1/"] {
            #expect(throws: (any Error).self) { try FileCommand.target(bad) }
        }
        #expect(FileCommand.route("web1", "/tmp/a b&c") == "/1.0/instances/web1/files?path=\(APIClient.queryValue("/tmp/a b&c"))")
        #expect(!FileCommand.route("web1", "/tmp/a b&c").contains(" "))
        #expect(throws: (any Error).self) { try FileCommand.Push.parse(["a", "web1/b", "--mode", "999"]) }
    }

    @Test("info shows the OS and each interface's addresses, or why the agent says nothing")
    func infoText() {
        let guest = InstanceGuest(
            agent: .answering, os: .init(id: "debian", versionID: "12", prettyName: "Debian GNU/Linux 12 (bookworm)", kernelRelease: "6.1.0"),
            interfaces: [.init(name: "eth0", addresses: ["10.0.2.15/24"]), .init(name: "eth1", addresses: [])])
        #expect(Info.text(guest) == "Guest agent: answering\n  os: Debian GNU/Linux 12 (bookworm) (kernel 6.1.0)\n  eth0: 10.0.2.15/24\n  eth1: no address\n")
        #expect(Info.text(InstanceGuest(agent: .notAnswering, message: "busy")) == "Guest agent: not answering (busy)\n")
        #expect(Info.text(nil) == "Guest agent: -\n")
    }
}
