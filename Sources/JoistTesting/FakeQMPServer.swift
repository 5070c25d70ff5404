import Foundation
import NIOCore
import NIOPosix
import QMP

/// An in-process QMP server on a real Unix socket, scripted by the test that owns it.
///
/// Like QEMU it greets each client, refuses every command until `qmp_capabilities`, and echoes
/// each request's id; the test's handler decides every other answer. Events go out only to
/// clients that have negotiated, as QEMU's do.
public final class FakeQMPServer: Sendable {
    /// Where the server listens.
    public let socketPath: String

    private let serverChannel: any Channel
    private let core: FakeQMPServerCore

    private init(socketPath: String, serverChannel: any Channel, core: FakeQMPServerCore) {
        self.socketPath = socketPath
        self.serverChannel = serverChannel
        self.core = core
    }

    /// Starts listening.
    ///
    /// - Parameters:
    ///   - socketPath: where to listen; by default a fresh path under `/tmp` (short enough for a
    ///     Unix socket address).
    ///   - greeting: the banner to send on connect, or `nil` to send none (a hung QEMU).
    ///   - handler: decides the answer to each command after negotiation.
    public static func start(
        socketPath: String? = nil,
        greeting: JSONValue? = FakeQMPServer.defaultGreeting,
        handler: @escaping Handler = FakeQMPServer.succeedAll
    ) async throws -> FakeQMPServer {
        let path = socketPath ?? "/tmp/joist-fakeqmp-\(UUID().uuidString.prefix(8)).sock"
        let core = FakeQMPServerCore(greeting: greeting, handler: handler)
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let handlers = channel.pipeline.syncOperations
                    try handlers.addHandler(ByteToMessageHandler(QMPLineDecoder()))
                    try handlers.addHandler(FakeQMPConnectionHandler(core: core))
                }
            }
            .bind(unixDomainSocketPath: path, cleanupExistingSocketFile: true)
            .get()
        return FakeQMPServer(socketPath: path, serverChannel: channel, core: core)
    }

    /// Replaces the handler for commands that arrive from now on.
    public func setHandler(_ handler: @escaping Handler) {
        core.setHandler(handler)
    }

    /// Commands received after negotiation, in arrival order (`qmp_capabilities` not included).
    public var commands: [Command] {
        core.commands
    }

    /// How many clients are connected now.
    public var connectionCount: Int {
        core.channels(negotiatedOnly: false).count
    }

    /// Sends event `name` to every negotiated client, stamped with the current time.
    public func emit(_ name: String, data: JSONValue = [:]) async {
        let now = Date().timeIntervalSince1970
        let seconds = now.rounded(.down)
        let event: JSONValue = [
            "event": .string(name),
            "data": data,
            "timestamp": [
                "seconds": .number(seconds), "microseconds": .number(((now - seconds) * 1e6).rounded(.down)),
            ],
        ]
        await write(event.jsonText + "\n", negotiatedOnly: true)
    }

    /// Writes `text` verbatim (no newline added) to every client, negotiated or not; for sending
    /// split, batched or malformed messages.
    public func sendRaw(_ text: String) async {
        await write(text, negotiatedOnly: false)
    }

    /// Closes every client connection; the server keeps listening.
    public func dropConnections() async {
        for channel in core.channels(negotiatedOnly: false) {
            try? await channel.close()
        }
    }

    /// Waits until at least `count` clients are connected, polling briefly.
    public func waitForConnections(_ count: Int = 1, timeout: Duration = hangTimeout) async throws {
        let deadline = ContinuousClock.now + timeout
        while connectionCount < count {
            guard ContinuousClock.now < deadline else { throw QMPError.timeout("no client connected to the fake") }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    /// Stops listening, drops every client and removes the socket file.
    public func shutdown() async {
        await dropConnections()
        try? await serverChannel.close()
        try? FileManager.default.removeItem(atPath: socketPath)
    }

    private func write(_ text: String, negotiatedOnly: Bool) async {
        for channel in core.channels(negotiatedOnly: negotiatedOnly) {
            try? await channel.writeAndFlush(ByteBuffer(string: text))
        }
    }
}
