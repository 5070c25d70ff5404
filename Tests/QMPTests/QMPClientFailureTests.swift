import Foundation
import JoistTesting
import QMP
import Testing

@Suite("QMP client when things go wrong", .timeLimit(.minutes(1)))
struct QMPClientFailureTests {
    @Test("when the peer drops the connection, waiting commands fail, events finish and waiters wake")
    func peerDisconnects() async throws {
        try await withFakeQMP(handler: { _ in .noReply }) { server, client in
            let pending = Task { try await client.execute("query-status") }
            try await Task.sleep(for: .milliseconds(50))
            await server.emit("STOP")
            await server.emit("RESUME")
            await server.dropConnections()

            await #expect(throws: QMPError.disconnected) { try await pending.value }
            try await withTimeout("waitUntilClosed") { await client.waitUntilClosed() }
            #expect(try await remainingEvents(client.events).map(\.name) == ["STOP", "RESUME"])
            #expect(!client.isConnected)
            await #expect(throws: QMPError.disconnected) { try await client.execute("cont") }
        }
    }

    @Test("a command the fake answers by hanging up throws disconnected")
    func disconnectInsteadOfReply() async throws {
        try await withFakeQMP(handler: { _ in .disconnect }) { _, client in
            await #expect(throws: QMPError.disconnected) { try await client.execute("system_reset") }
        }
    }

    @Test("close() is idempotent, fails waiting commands and finishes events")
    func closeIsIdempotent() async throws {
        try await withFakeQMP(handler: { _ in .noReply }) { server, client in
            let pending = Task { try await client.execute("query-status") }
            try await Task.sleep(for: .milliseconds(50))
            await client.close()
            await client.close()
            await #expect(throws: QMPError.disconnected) { try await pending.value }
            #expect(try await remainingEvents(client.events).isEmpty)
            try await withTimeout("waitUntilClosed") { await client.waitUntilClosed() }
            try await withTimeout("the fake to see the close") {
                while server.connectionCount > 0 { try await Task.sleep(for: .milliseconds(10)) }
            }
        }
    }

    @Test("malformed input is a protocol violation that closes the connection")
    func malformedInput() async throws {
        try await withFakeQMP(handler: { _ in .noReply }) { server, client in
            let pending = Task { try await client.execute("query-status") }
            try await Task.sleep(for: .milliseconds(50))
            await server.sendRaw("this is not JSON\n")
            await #expect {
                try await pending.value
            } throws: { error in
                guard case .protocolViolation = error as? QMPError else { return false }
                return true
            }
            try await withTimeout("waitUntilClosed") { await client.waitUntilClosed() }
            #expect(try await remainingEvents(client.events).isEmpty)
        }
    }

    @Test("connecting to a socket that does not exist throws connectFailed")
    func missingSocket() async throws {
        let path = "/tmp/joist-missing-\(UUID().uuidString.prefix(8)).sock"
        await #expect {
            _ = try await QMPClient.connect(path: path, logger: testLogger)
        } throws: { error in
            guard case .connectFailed(let failedPath, _) = error as? QMPError else { return false }
            return failedPath == path
        }
    }

    @Test("a peer that never greets makes connect time out within its bound")
    func greetingTimeout() async throws {
        try await withFakeServer(greeting: nil) { server in
            let started = ContinuousClock.now
            await #expect {
                _ = try await QMPClient.connect(
                    path: server.socketPath,
                    timeout: .milliseconds(200),
                    logger: testLogger
                )
            } throws: { error in
                guard case .timeout = error as? QMPError else { return false }
                return true
            }
            // Without its timeout the connect would wait for ever; the slack covers a busy host.
            #expect(ContinuousClock.now - started < .seconds(30))
        }
    }

    @Test("a greeting that is not QMP is a protocol violation")
    func wrongGreeting() async throws {
        try await withFakeServer(greeting: ["hello": "world"]) { server in
            await #expect {
                _ = try await QMPClient.connect(path: server.socketPath, logger: testLogger)
            } throws: { error in
                guard case .protocolViolation = error as? QMPError else { return false }
                return true
            }
        }
    }

    @Test("the fake refuses commands before qmp_capabilities, as QEMU does")
    func fakeRequiresNegotiation() async throws {
        // Talk to the fake with a bare socket, so the client's own negotiation does not interfere.
        try await withFakeServer { server in
            let requests = [
                #"{"execute": "query-status", "id": 1}"#,
                #"{"execute": "qmp_capabilities", "id": 2}"#,
                #"{"execute": "qmp_capabilities", "id": 3}"#,
            ]
            let lines = try RawUnixSocket.exchange(path: server.socketPath, send: requests, expectLines: 4)
            try #require(lines.count == 4)
            let replies = try lines.map { try JSONValue(jsonText: $0) }
            #expect(replies[0]["QMP"] != nil)
            #expect(
                replies[1] == [
                    "id": 1,
                    "error": [
                        "class": "CommandNotFound",
                        "desc": "Expecting capabilities negotiation with 'qmp_capabilities'",
                    ],
                ]
            )
            #expect(replies[2] == ["id": 2, "return": [:]])
            #expect(replies[3]["error"]?["class"] == "CommandNotFound")
            #expect(server.commands.isEmpty)
        }
    }
}
