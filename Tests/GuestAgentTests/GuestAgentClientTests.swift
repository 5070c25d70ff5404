import GuestAgent
import JoistTesting
import Logging
import QMP
import Testing

@Suite("Guest agent client against a fake agent on a Unix socket")
struct GuestAgentClientTests {
    let logger = Logger(label: "test")

    @Test("the handshake skips stale output left in the channel; typed commands decode")
    func handshakeAndCommands() async throws {
        let stale = Array("{\"return\": {\"pid\": 9}}\n{\"return\": 3".utf8) + [0xFF] + Array("{\"return\": 12345}\n".utf8)
        let agent = try await FakeGuestAgent.start(staleOutput: stale) { name, _ in
            switch name {
            case "guest-info":
                .value(["version": "7.2.0", "supported_commands": [["name": "guest-ping", "enabled": true], ["name": "guest-exec", "enabled": false]]])
            case "guest-get-osinfo": .value(["id": "debian", "pretty-name": "Debian GNU/Linux 12 (bookworm)", "kernel-release": "6.1.0"])
            case "guest-network-get-interfaces":
                .value([["name": "lo", "ip-addresses": [["ip-address-type": "ipv4", "ip-address": "127.0.0.1", "prefix": 8]]], ["name": "eth0", "hardware-address": "52:54:00:12:34:56"]])
            case "guest-fsfreeze-status": .value("thawed")
            default: .value([:])
            }
        }
        defer { Task { await agent.shutdown() } }
        let client = try await GuestAgentClient.connect(path: agent.socketPath, logger: logger)
        try await client.ping()
        let info = try await client.info()
        #expect(info.version == "7.2.0")
        #expect(info.enabledCommands == ["guest-ping"])
        let os = try await client.osInfo()
        #expect(os.prettyName == "Debian GNU/Linux 12 (bookworm)")
        let interfaces = try await client.networkInterfaces()
        #expect(interfaces.map(\.name) == ["lo", "eth0"])
        #expect(interfaces.first?.addresses.first?.address == "127.0.0.1")
        #expect(interfaces.last?.hardwareAddress == "52:54:00:12:34:56")
        #expect(try await client.freezeStatus() == .thawed)
        await client.close()
        #expect(agent.received.first == "guest-sync-delimited")
    }

    @Test("a guest without an agent gives noAgent within the handshake timeout, not a hang")
    func noAgent() async throws {
        let agent = try await FakeGuestAgent.start(answersHandshake: false)
        defer { Task { await agent.shutdown() } }
        await #expect(throws: GuestAgentError.noAgent(path: agent.socketPath, waited: .milliseconds(300))) {
            _ = try await GuestAgentClient.connect(path: agent.socketPath, syncTimeout: .milliseconds(300), logger: logger)
        }
    }

    @Test("a missing socket is connectFailed")
    func missingSocket() async throws {
        await #expect {
            _ = try await GuestAgentClient.connect(path: "/tmp/joist-no-such-agent.sock", logger: logger)
        } throws: { error in
            if case GuestAgentError.connectFailed = error { return true }
            return false
        }
    }

    @Test("a command that times out throws timeout; its late answer is not taken for the next command's")
    func timeoutThenResync() async throws {
        let agent = try await FakeGuestAgent.start { name, _ in
            name == "guest-fsfreeze-freeze" ? .untilNextRequest(.value(2)) : .value(0)
        }
        defer { Task { await agent.shutdown() } }
        // The answer comes only once the client sends again, so the timeout holds however slow the machine.
        let client = try await GuestAgentClient.connect(path: agent.socketPath, syncTimeout: hangTimeout, logger: logger)
        await #expect(throws: GuestAgentError.timeout(command: "guest-fsfreeze-freeze", waited: .milliseconds(100))) {
            _ = try await client.freezeFilesystems(timeout: .milliseconds(100))
        }
        // The freeze's answer (2) arrives while the next command resynchronises; the thaw gets its own (0).
        #expect(try await client.thawFilesystems() == 0)
        #expect(agent.received == ["guest-sync-delimited", "guest-fsfreeze-freeze", "guest-sync-delimited", "guest-fsfreeze-thaw"])
        await client.close()
    }

    @Test("an agent error is commandFailed with its class and description")
    func commandError() async throws {
        let agent = try await FakeGuestAgent.start { _, _ in .error("GenericError", "fsfreeze is disabled") }
        defer { Task { await agent.shutdown() } }
        let client = try await GuestAgentClient.connect(path: agent.socketPath, logger: logger)
        await #expect(throws: GuestAgentError.commandFailed(command: "guest-fsfreeze-freeze", class: "GenericError", description: "fsfreeze is disabled")) {
            _ = try await client.freezeFilesystems()
        }
        await client.close()
    }

    @Test("concurrent commands on one connection each get their own answer")
    func concurrent() async throws {
        let agent = try await FakeGuestAgent.start { name, arguments in
            name == "guest-exec-status" ? .value(["exited": true, "exitcode": arguments?["pid"] ?? .null]) : .value([:])
        }
        defer { Task { await agent.shutdown() } }
        let client = try await GuestAgentClient.connect(path: agent.socketPath, logger: logger)
        let codes = try await withThrowingTaskGroup(of: (Int, Int?).self) { group in
            for pid in 1...8 { group.addTask { (pid, try await client.execStatus(pid: pid).exitCode) } }
            return try await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
        }
        #expect(codes.allSatisfy { $0.key == $0.value })
        await client.close()
    }

    @Test("guest-exec sends base64 input and decodes base64 output")
    func exec() async throws {
        let agent = try await FakeGuestAgent.start { name, arguments in
            switch name {
            case "guest-exec": arguments?["input-data"] == "aGk=" ? .value(["pid": 77]) : .error("GenericError", "bad input")
            case "guest-exec-status": .value(["exited": true, "exitcode": 3, "out-data": "b3V0", "err-data": "ZXJy"])
            default: .value([:])
            }
        }
        defer { Task { await agent.shutdown() } }
        let client = try await GuestAgentClient.connect(path: agent.socketPath, logger: logger)
        let pid = try await client.exec("/bin/sh", arguments: ["-c", "cat"], input: Array("hi".utf8))
        #expect(pid == 77)
        let status = try await client.execStatus(pid: pid)
        #expect(status.exited && status.exitCode == 3)
        #expect(status.stdout == Array("out".utf8) && status.stderr == Array("err".utf8))
        await client.close()
    }
}
