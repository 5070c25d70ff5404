import Foundation
import NIOCore
import NIOPosix
public import QMP
import Synchronization

/// A stand-in for qemu-ga behind QEMU's chardev socket: a Unix socket server that answers guest
/// agent requests as the test's handler says, including the `guest-sync-delimited` handshake.
///
/// Like qemu-ga it drops a half-received request on `0xFF` (answering it with a parse error, as
/// qemu-ga 7.2 does), answers the handshake with `0xFF` before the JSON, and answers requests in
/// order, one line each.
public final class FakeGuestAgent: Sendable {
    /// What the fake does with one request.
    public enum Reply: Sendable {
        /// `{"return": value}`.
        case value(JSONValue)
        /// `{"error": {"class": …, "desc": …}}`.
        case error(String, String)
        /// Nothing, ever (a hung agent).
        case silence
        /// The reply, after `delay`; requests behind it wait, as with the real agent.
        indirect case late(Duration, Reply)
        /// The reply, held back until the client sends anything more (an agent that answers only
        /// after the client gave up waiting), then sent before whatever answers that. Unlike `late`,
        /// it cannot arrive in time however slow the machine.
        indirect case untilNextRequest(Reply)
    }

    /// Decides the reply to a request (its name and arguments); handshakes are answered separately.
    public typealias Handler = @Sendable (String, JSONValue?) -> Reply

    public let socketPath: String
    private let serverChannel: any Channel
    private let shared: Shared

    /// Shared with the connections.
    final class Shared: Sendable {
        let handler: Handler
        /// Whether the handshake is answered (false: a guest with no agent, whose port swallows all).
        let answersHandshake: Bool
        /// Sent to each client before anything else: a stale answer left over in the channel.
        let staleOutput: [UInt8]
        let received = Mutex<[String]>([])

        init(handler: @escaping Handler, answersHandshake: Bool, staleOutput: [UInt8]) {
            self.handler = handler
            self.answersHandshake = answersHandshake
            self.staleOutput = staleOutput
        }
    }

    private init(socketPath: String, serverChannel: any Channel, shared: Shared) {
        self.socketPath = socketPath
        self.serverChannel = serverChannel
        self.shared = shared
    }

    /// Starts listening on a fresh path under /tmp (or `socketPath`).
    public static func start(
        socketPath: String? = nil, answersHandshake: Bool = true, staleOutput: [UInt8] = [],
        handler: @escaping Handler = { _, _ in .value(.object([:])) }
    ) async throws -> FakeGuestAgent {
        let path = socketPath ?? "/tmp/joist-fakega-\(UUID().uuidString.prefix(8)).sock"
        let shared = Shared(handler: handler, answersHandshake: answersHandshake, staleOutput: staleOutput)
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Connection(shared: shared))
                }
            }
            .bind(unixDomainSocketPath: path, cleanupExistingSocketFile: true)
            .get()
        return FakeGuestAgent(socketPath: path, serverChannel: channel, shared: shared)
    }

    /// The requests received, by name, in order (handshakes included).
    public var received: [String] { shared.received.withLock { $0 } }

    public func shutdown() async {
        try? await serverChannel.close()
        try? FileManager.default.removeItem(atPath: socketPath)
    }

    private final class Connection: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        let shared: Shared
        var buffer: [UInt8] = []
        /// When the last queued reply goes out: replies leave in request order.
        var busyUntil = NIODeadline.now()
        /// An `untilNextRequest` reply, sent when the client next sends anything.
        var held: [UInt8]?

        init(shared: Shared) { self.shared = shared }

        func channelActive(context: ChannelHandlerContext) {
            if !shared.staleOutput.isEmpty { context.writeAndFlush(wrapOutbound(shared.staleOutput), promise: nil) }
            context.fireChannelActive()
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            if let held {
                self.held = nil
                send(held, after: .zero, context: context)
            }
            for byte in unwrapInboundIn(data).readableBytesView {
                if byte == 0xFF {
                    buffer.removeAll()
                    reply(.error("GenericError", "JSON parse error, stray '\u{FFFD}'"), after: .zero, context: context)
                } else if byte == UInt8(ascii: "\n") {
                    handle(buffer, context: context)
                    buffer.removeAll()
                } else {
                    buffer.append(byte)
                }
            }
        }

        private func handle(_ line: [UInt8], context: ChannelHandlerContext) {
            guard let request = try? JSONValue(jsonBytes: line), let name = request["execute"]?.stringValue else { return }
            shared.received.withLock { $0.append(name) }
            if name == "guest-sync-delimited" {
                guard shared.answersHandshake else { return }
                let answer = JSONValue.object(["return": request["arguments"]?["id"] ?? .null])
                send([0xFF] + Array(answer.jsonText.utf8) + [UInt8(ascii: "\n")], after: .zero, context: context)
                return
            }
            reply(shared.handler(name, request["arguments"]), after: .zero, context: context)
        }

        private func reply(_ reply: Reply, after delay: Duration, context: ChannelHandlerContext) {
            switch reply {
            case .silence:
                busyUntil = .distantFuture
            case .late(let more, let inner):
                self.reply(inner, after: delay + more, context: context)
            case .untilNextRequest(let inner):
                held = Self.line(for: inner)
            case .value, .error:
                if let line = Self.line(for: reply) { send(line, after: delay, context: context) }
            }
        }

        private func send(_ bytes: [UInt8], after delay: Duration, context: ChannelHandlerContext) {
            guard busyUntil != .distantFuture else { return }
            busyUntil = max(busyUntil, .now()) + TimeAmount(delay)
            let channel = context.channel
            channel.eventLoop.scheduleTask(deadline: busyUntil) {
                channel.writeAndFlush(ByteBuffer(bytes: bytes), promise: nil)
            }
        }

        /// The line answering with `reply` (nil for silence); the delay of `late` does not apply.
        private static func line(for reply: Reply) -> [UInt8]? {
            switch reply {
            case .value(let value): Array(JSONValue.object(["return": value]).jsonText.utf8) + [UInt8(ascii: "\n")]
            case .error(let errorClass, let description):
                Array(JSONValue.object(["error": .object(["class": .string(errorClass), "desc": .string(description)])]).jsonText.utf8)
                    + [UInt8(ascii: "\n")]
            case .silence: nil
            case .late(_, let inner), .untilNextRequest(let inner): line(for: inner)
            }
        }

        private func wrapOutbound(_ bytes: [UInt8]) -> NIOAny { NIOAny(ByteBuffer(bytes: bytes)) }
    }
}
