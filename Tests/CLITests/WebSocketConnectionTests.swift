import JoistTesting
import NIOCore
import NIOHTTP1
import NIOWebSocket
import Testing

#if canImport(CLIConsole)
@testable import CLIConsole
#else
@testable import CLI
#endif

@Suite("WebSocket connection over a Unix socket")
struct WebSocketConnectionTests {
    @Test("sends keystrokes and receives the guest's output")
    func sendAndReceive() async throws {
        try await ConsoleTestServer.withServer { server in
            try await WebSocketConnection.withConnection(
                to: server.endpoint,
                path: "/1.0/instances/web-1/console"
            ) { connection in
                try await connection.send(Array("hello\n".utf8))
                var iterator = connection.bytes.makeAsyncIterator()
                let output = try await iterator.next()
                #expect(output == Array("HELLO\n".utf8))
            }
            #expect(await server.hub.input == Array("hello\n".utf8))
        }
    }

    @Test("two clients attached at once both receive broadcast output")
    func twoClients() async throws {
        try await ConsoleTestServer.withServer { server in
            let path = "/1.0/instances/web-1/console"
            try await WebSocketConnection.withConnection(to: server.endpoint, path: path) { first in
                try await WebSocketConnection.withConnection(to: server.endpoint, path: path) { second in
                    #expect(await eventually { await server.hub.attachedCount == 2 })
                    try await first.send(Array("ls".utf8))
                    var firstOutput = first.bytes.makeAsyncIterator()
                    var secondOutput = second.bytes.makeAsyncIterator()
                    #expect(try await firstOutput.next() == Array("LS".utf8))
                    #expect(try await secondOutput.next() == Array("LS".utf8))
                }
            }
        }
    }

    @Test("answers the server's pings, so the connection outlives several ping periods")
    func answersPings() async throws {
        // Periods long enough that a loaded machine (the whole suite runs in parallel) still answers in time.
        try await ConsoleTestServer.withServer(pingPeriod: .milliseconds(250)) { server in
            try await WebSocketConnection.withConnection(
                to: server.endpoint,
                path: "/1.0/instances/web-1/console"
            ) { connection in
                // Pings are answered while the inbound sequence is being read, as a session always does.
                var iterator = connection.bytes.makeAsyncIterator()
                try await Task.sleep(for: .milliseconds(1100))
                try await connection.send(Array("x".utf8))
                #expect(try await iterator.next() == Array("X".utf8))
            }
        }
    }

    @Test("a server-side close ends the inbound stream and reports the reason")
    func serverClose() async throws {
        try await ConsoleTestServer.withServer { server in
            try await WebSocketConnection.withConnection(
                to: server.endpoint,
                path: "/1.0/instances/web-1/console"
            ) { connection in
                #expect(await eventually { await server.hub.attachedCount == 1 })
                await server.hub.powerOff(reason: "instance web-1 stopped")
                for try await _ in connection.bytes {}
                #expect(connection.closeReason == .init(code: .normalClosure, reason: "instance web-1 stopped"))
            }
        }
    }

    @Test(
        "an upgrade refused with an HTTP error surfaces its status and JSON message",
        arguments: [
            ("web-9", HTTPResponseStatus.notFound, "not_found", "instance web-9 not found"),
            ("stopped-1", .conflict, "conflict", "instance stopped-1 is not running"),
        ]
    )
    func upgradeRejected(instance: String, status: HTTPResponseStatus, apiCode: String, message: String) async throws {
        try await ConsoleTestServer.withServer(upgrades: false) { server in
            let error = await #expect(throws: WebSocketError.self) {
                try await WebSocketConnection.withConnection(
                    to: server.endpoint,
                    path: "/1.0/instances/\(instance)/console"
                ) { _ in }
            }
            #expect(error?.code == .upgradeRejected)
            #expect(error?.status == status)
            #expect(error?.apiCode == apiCode)
            #expect(error?.description == message)
        }
    }

    @Test("a session closed at once with 4000 + status is that refusal, on bytes and on text messages")
    func refusedByClose() async throws {
        try await ConsoleTestServer.withServer { server in
            for text in [false, true] {
                let error = await #expect(throws: WebSocketError.self) {
                    try await WebSocketConnection.withConnection(to: server.endpoint, path: "/1.0/instances/refused-1/console") { connection in
                        if text {
                            for try await _ in connection.textMessages {}
                        } else {
                            for try await _ in connection.bytes {}
                        }
                    }
                }
                #expect(error?.code == .upgradeRejected && error?.status == .conflict, "\(String(describing: error))")
                #expect(error?.description == "instance refused-1 is not running")
            }
            #expect(await server.hub.attachedCount == 0)
        }
    }

    @Test("only close codes 4400–4599 are refusals")
    func refusalCodes() {
        let refusal = WebSocketError.refusal(.init(code: .unknown(4403), reason: "viewer may not type"))
        #expect(refusal?.status == .forbidden && refusal?.message == "viewer may not type")
        #expect(WebSocketError.refusal(.init(code: .unknown(4404), reason: ""))?.message == "joistd refused the WebSocket connection: HTTP 404 Not Found")
        #expect(WebSocketError.refusal(.init(code: .normalClosure, reason: "instance web-1 stopped")) == nil)
        #expect(WebSocketError.refusal(.init(code: .policyViolation, reason: "unknown RFB message")) == nil)
        #expect(WebSocketError.refusal(.init(code: .unknown(4000), reason: "")) == nil)
        #expect(WebSocketError.refusal(nil) == nil)
    }

    @Test("Hummingbird's empty 400 for a refused upgrade still becomes a readable error")
    func hummingbirdRefusal() async throws {
        try await ConsoleTestServer.withServer { server in
            let error = await #expect(throws: WebSocketError.self) {
                try await WebSocketConnection.withConnection(
                    to: server.endpoint,
                    path: "/1.0/instances/web-9/console"
                ) { _ in }
            }
            #expect(error?.status == .badRequest)
            #expect(error?.description == "joistd refused the WebSocket connection: HTTP 400 Bad Request")
        }
    }

    @Test("a missing socket is a connection error naming the socket")
    func missingSocket() async throws {
        let path = "/tmp/joist-no-such-dir/joist.sock"
        let error = await #expect(throws: WebSocketError.self) {
            try await WebSocketConnection.withConnection(to: .unixSocket(path: path), path: "/") { _ in }
        }
        #expect(error?.code == .connectionFailed)
        #expect(error?.message.contains(path) == true)
    }
}
