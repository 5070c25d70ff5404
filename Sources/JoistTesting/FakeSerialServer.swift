import NIOCore
import NIOPosix
import Synchronization

/// A stand-in for QEMU's serial console socket: a Unix socket server that records what clients
/// type and sends them guest output on demand.
public final class FakeSerialServer: Sendable {
    /// Connected clients and the bytes they sent, shared with the connection handlers.
    private final class Shared: Sendable {
        let state = Mutex<(clients: [any Channel], received: [UInt8])>(([], []))
    }

    private let serverChannel: any Channel
    private let shared: Shared

    private init(serverChannel: any Channel, shared: Shared) {
        self.serverChannel = serverChannel
        self.shared = shared
    }

    public static func start(socketPath: String) async throws -> FakeSerialServer {
        let shared = Shared()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                shared.state.withLock { $0.clients.append(channel) }
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Recorder(shared: shared))
                }
            }
            .bind(unixDomainSocketPath: socketPath, cleanupExistingSocketFile: true)
            .get()
        return FakeSerialServer(serverChannel: channel, shared: shared)
    }

    /// Sends `text` to every connected client, as if the guest printed it; waits (up to `hangTimeout`) for a
    /// client, since a client's connect can complete before the server has registered it.
    public func print(_ text: String) async throws {
        let deadline = ContinuousClock.now + hangTimeout
        while shared.state.withLock({ $0.clients.isEmpty }) && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(5))
        }
        let clients = shared.state.withLock { $0.clients }
        for client in clients {
            try await client.writeAndFlush(ByteBuffer(string: text))
        }
    }

    /// Everything clients have typed so far.
    public var received: String { String(decoding: shared.state.withLock { $0.received }, as: UTF8.self) }

    /// Drops every client (as QEMU exiting does) and stops listening.
    public func shutdown() async {
        let clients = shared.state.withLock { $0.clients }
        for client in clients { try? await client.close() }
        try? await serverChannel.close()
    }

    private final class Recorder: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let shared: Shared
        init(shared: Shared) { self.shared = shared }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let bytes = Array(unwrapInboundIn(data).readableBytesView)
            shared.state.withLock { $0.received += bytes }
        }
    }
}
