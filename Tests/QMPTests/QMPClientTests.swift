import JoistTesting
import QMP
import Testing

@Suite("QMP client against the fake server", .timeLimit(.minutes(1)))
struct QMPClientTests {
    @Test("negotiates capabilities on connect and exposes the greeting")
    func connectNegotiates() async throws {
        try await withFakeQMP { server, client in
            #expect(client.greeting.version == .init(major: 9, minor: 2, micro: 0, package: "Debian 1:9.2.0+ds-1"))
            #expect(client.greeting.capabilities == ["oob"])
            #expect(client.isConnected)
            // Negotiation is not a scripted command; the fake would have refused anything else first.
            #expect(server.commands.isEmpty)
            _ = try await client.execute("query-version")
            #expect(server.commands.map(\.name) == ["query-version"])
        }
    }

    @Test("sends arguments and returns the command's return value")
    func executeReturnsValue() async throws {
        let handler: FakeQMPServer.Handler = { command in
            .success(["echo": command.arguments ?? .null])
        }
        try await withFakeQMP(handler: handler) { server, client in
            let result = try await client.execute("blockdev-add", arguments: ["node-name": "disk0", "size": 1024])
            #expect(result == ["echo": ["node-name": "disk0", "size": 1024]])
            let command = try #require(server.commands.first)
            #expect(command.name == "blockdev-add")
            #expect(command.id?.intValue != nil)
        }
    }

    @Test("throws commandFailed with QEMU's class and description")
    func executeError() async throws {
        let handler: FakeQMPServer.Handler = { _ in
            .error(class: "DeviceNotFound", description: "Device 'nic9' not found")
        }
        try await withFakeQMP(handler: handler) { _, client in
            await #expect(
                throws: QMPError.commandFailed(class: "DeviceNotFound", description: "Device 'nic9' not found")
            ) {
                try await client.execute("device_del", arguments: ["id": "nic9"])
            }
            #expect(client.isConnected)
        }
    }

    @Test("matches concurrent commands to their responses by id, even out of order")
    func concurrentCommands() async throws {
        // Later requests are answered sooner, so responses arrive in the reverse order.
        let handler: FakeQMPServer.Handler = { command in
            let n = command.arguments?["n"]?.intValue ?? 0
            return .delayed(.milliseconds(5 * (20 - n)), .success(["n": .number(Double(n))]))
        }
        try await withFakeQMP(handler: handler) { _, client in
            try await withThrowingTaskGroup(of: (Int, JSONValue).self) { group in
                for n in 0..<20 {
                    group.addTask { (n, try await client.execute("echo", arguments: ["n": .number(Double(n))])) }
                }
                var answered = 0
                for try await (n, result) in group {
                    #expect(result == ["n": .number(Double(n))])
                    answered += 1
                }
                #expect(answered == 20)
            }
        }
    }

    @Test("delivers events in order, with data and timestamps, apart from responses")
    func eventsAreNotResponses() async throws {
        try await withFakeQMP(handler: { _ in .delayed(.milliseconds(50), .success(["status": "ok"])) }) {
            server,
            client in
            async let reply = client.execute("query-status")
            await server.emit("STOP")
            await server.emit("SHUTDOWN", data: ["guest": true, "reason": "guest-shutdown"])
            #expect(try await reply == ["status": "ok"])
            let events = try await nextEvents(client.events, count: 2)
            #expect(events.map(\.name) == ["STOP", "SHUTDOWN"])
            #expect(events.last?.data["reason"]?.stringValue == "guest-shutdown")
            #expect(events.allSatisfy { $0.timestamp != nil })
        }
    }

    @Test("frames messages split across reads, batched in one read, with CRLF or blank lines")
    func framing() async throws {
        try await withFakeQMP { server, client in
            await server.sendRaw(#"{"event": "ST"#)
            try await Task.sleep(for: .milliseconds(50))
            await server.sendRaw("OP\", \"data\": {}}\n{\"event\": \"RESUME\"}\r\n\n{\"event\": \"RESET\"}\n")
            let events = try await nextEvents(client.events, count: 3)
            #expect(events.map(\.name) == ["STOP", "RESUME", "RESET"])
            #expect(client.isConnected)
        }
    }

    @Test("ignores a response that no command is waiting for")
    func unexpectedResponse() async throws {
        try await withFakeQMP { server, client in
            await server.sendRaw(
                "{\"return\": {}, \"id\": 9999}\n{\"error\": {\"class\": \"GenericError\", \"desc\": \"JSON parse error\"}}\n"
            )
            let answer = try await client.execute("query-version")
            #expect(answer == [:])
        }
    }

    @Test("a cancelled command throws CancellationError and leaves the connection usable")
    func cancellation() async throws {
        let handler: FakeQMPServer.Handler = { command in
            command.name == "hang" ? .noReply : .success("fine")
        }
        try await withFakeQMP(handler: handler) { _, client in
            let hung = Task { try await client.execute("hang") }
            try await Task.sleep(for: .milliseconds(50))
            hung.cancel()
            await #expect(throws: CancellationError.self) { try await hung.value }
            #expect(try await client.execute("next") == "fine")
        }
    }
}
