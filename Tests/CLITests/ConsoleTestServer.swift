import Foundation
import Hummingbird
import HummingbirdWebSocket
import NIOCore
import NIOWebSocket

#if canImport(CLIConsole)
@testable import CLIConsole
#else
@testable import CLI
#endif

/// A stand-in for joistd's console endpoint on a real Unix socket in a temporary directory.
///
/// Instances named in `running` have a console that upper-cases whatever any client types and
/// broadcasts it to every attached client, as the daemon multiplexes one serial port.
///
/// Hummingbird's WebSocket channel answers every refused upgrade with an empty 400, so with
/// `upgrades: false` the server speaks plain HTTP/1 instead and answers console requests as ordinary
/// requests: 404 for unknown names and 409 for `stopped-1`, with the API's JSON error body. joistd
/// itself refuses upgrades by accepting and closing at once with 4000 + status, as this server does
/// for `refused-1`.
final class ConsoleTestServer: Sendable {
    /// The socket the server listens on.
    let socketPath: String
    /// Attached clients and everything they sent.
    let hub = ConsoleHub()

    private init(socketPath: String) {
        self.socketPath = socketPath
    }

    /// Where clients connect.
    var endpoint: WebSocketEndpoint { .unixSocket(path: self.socketPath) }

    /// Runs a server for the length of `body`, with WebSocket pings every `pingPeriod`.
    static func withServer<Result: Sendable>(
        running: Set<String> = ["web-1"],
        pingPeriod: Duration = .seconds(30),
        upgrades: Bool = true,
        _ body: @Sendable (ConsoleTestServer) async throws -> Result
    ) async throws -> Result {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("joist-console-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let server = ConsoleTestServer(socketPath: directory.appendingPathComponent("joist.sock").path)

        let (ready, readyContinuation) = AsyncStream<Void>.makeStream()
        let app = Application(
            router: Self.httpRouter(),
            server: upgrades
                ? .http1WebSocketUpgrade(
                    webSocketRouter: Self.webSocketRouter(running: running, hub: server.hub),
                    configuration: .init(ws: .init(autoPing: .enabled(timePeriod: pingPeriod)))
                )
                : .http1(),
            configuration: .init(address: .unixDomainSocket(path: server.socketPath)),
            onServerRunning: { _ in readyContinuation.finish() }
        )
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                // If the server fails to start, stop waiting for it so the failure surfaces.
                defer { readyContinuation.finish() }
                try await app.runService()
            }
            for await _ in ready {}
            do {
                let result = try await body(server)
                group.cancelAll()
                return result
            } catch {
                group.cancelAll()
                throw error
            }
        }
    }

    /// Console upgrades for running instances; everything else falls through to `httpRouter`.
    private static func webSocketRouter(running: Set<String>, hub: ConsoleHub) -> Router<BasicWebSocketRequestContext> {
        let router = Router(context: BasicWebSocketRequestContext.self)
        router.ws("/1.0/instances/{name}/console") { _, context in
            let name = context.parameters.get("name") ?? ""
            return running.contains(name) || name == "refused-1" ? .upgrade([:]) : .dontUpgrade
        } onUpgrade: { inbound, outbound, context in
            if context.requestContext.parameters.get("name") == "refused-1" {
                try await outbound.close(.unknown(4409), reason: "instance refused-1 is not running")
                return
            }
            let id = await hub.attach(outbound)
            do {
                for try await message in inbound.messages(maxSize: 1 << 20) {
                    guard case .binary(let buffer) = message else { continue }
                    await hub.received(Array(buffer.readableBytesView))
                }
            } catch {}
            await hub.detach(id)
        }
        return router
    }

    /// The API's answers to console requests that were not upgraded.
    private static func httpRouter() -> Router<BasicRequestContext> {
        let router = Router()
        router.get("/1.0/instances/{name}/console") { _, context -> Response in
            let name = context.parameters.get("name") ?? ""
            if name == "stopped-1" {
                return Self.errorResponse(.conflict, code: "conflict", message: "instance \(name) is not running")
            }
            return Self.errorResponse(.notFound, code: "not_found", message: "instance \(name) not found")
        }
        return router
    }

    private static func errorResponse(_ status: HTTPResponse.Status, code: String, message: String) -> Response {
        let json = #"{"error":{"code":"\#(code)","message":"\#(message)"}}"#
        return Response(
            status: status,
            headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(string: json))
        )
    }
}

/// The server side of the fake console: who is attached, and what they typed.
actor ConsoleHub {
    private var clients: [Int: WebSocketOutboundWriter] = [:]
    private var nextID = 0
    /// Every byte received from any client, in arrival order.
    private(set) var input: [UInt8] = []
    /// How many clients have attached and since detached.
    private(set) var detachedCount = 0

    /// How many clients are attached.
    var attachedCount: Int { self.clients.count }

    /// Registers a client; returns its id.
    func attach(_ outbound: WebSocketOutboundWriter) -> Int {
        self.nextID += 1
        self.clients[self.nextID] = outbound
        return self.nextID
    }

    /// Forgets a client that went away.
    func detach(_ id: Int) {
        self.clients[id] = nil
        self.detachedCount += 1
    }

    /// Records input and broadcasts it upper-cased, as the guest's echo.
    func received(_ bytes: [UInt8]) async {
        self.input += bytes
        let echo = ByteBuffer(string: String(decoding: bytes, as: UTF8.self).uppercased())
        for client in self.clients.values {
            try? await client.write(.binary(echo))
        }
    }

    /// Closes every console with `reason`, as joistd does when QEMU exits.
    func powerOff(reason: String) async {
        for client in self.clients.values {
            try? await client.close(.normalClosure, reason: reason)
        }
    }
}
