import JoistTesting
import QMP
import Testing

@Suite("Typed QMP commands", .timeLimit(.minutes(1)))
struct QMPClientCommandsTests {
    private static let handler: FakeQMPServer.Handler = { command in
        switch command.name {
        case "query-status": .success(["running": false, "singlestep": false, "status": "prelaunch"])
        case "human-monitor-command": .success("QEMU 9.2.0 monitor\r\n")
        default: .success([:])
        }
    }

    @Test("each typed command sends the QMP command it documents")
    func commandNames() async throws {
        try await withFakeQMP(handler: Self.handler) { server, client in
            #expect(try await client.queryStatus() == QMPStatus(running: false, status: "prelaunch"))
            try await client.cont()
            try await client.stop()
            try await client.systemPowerdown()
            try await client.systemReset()
            #expect(try await client.humanMonitorCommand("info version") == "QEMU 9.2.0 monitor\r\n")
            #expect(
                server.commands.map(\.name) == [
                    "query-status", "cont", "stop", "system_powerdown", "system_reset", "human-monitor-command",
                ]
            )
            #expect(server.commands.last?.arguments == ["command-line": "info version"])
        }
    }

    @Test("queryStatus calls a malformed answer a protocol violation")
    func malformedStatus() async throws {
        try await withFakeQMP(handler: { _ in .success(["status": 3]) }) { _, client in
            await #expect(throws: QMPError.protocolViolation(#"query-status returned {"status":3}"#)) {
                try await client.queryStatus()
            }
        }
    }

    @Test(
        "quit succeeds whether QEMU answers first or just closes the socket",
        arguments: [FakeQMPServer.Reply.successThenDisconnect([:]), .disconnect, .success([:])]
    )
    func quit(reply: FakeQMPServer.Reply) async throws {
        try await withFakeQMP(handler: { _ in reply }) { server, client in
            try await client.quit()
            #expect(server.commands.map(\.name) == ["quit"])
        }
    }
}
