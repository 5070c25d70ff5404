public import Logging
import NIOCore
import NIOPosix
public import QMP

/// A connection to a guest agent through the Unix socket of QEMU's chardev for its port.
///
/// QEMU's socket accepts one client at a time, so keep one connection per guest and close it when
/// done. The agent is not multiplexed: requests go one at a time, each answered by the next line.
/// Because a guest without an agent leaves the socket connected but silent, every wait is bounded;
/// and because an abandoned request's answer may arrive later, the connection opens with the
/// `guest-sync-delimited` handshake, and repeats it after any timeout, which skips stale output.
public actor GuestAgentClient: GuestAgent {
    /// Where the agent's chardev listens.
    public nonisolated let socketPath: String
    /// How long a command may take when its caller names no timeout.
    public nonisolated let commandTimeout: Duration
    /// How long the handshake may take before the guest counts as having no agent.
    public nonisolated let syncTimeout: Duration

    private let channel: any Channel
    private let receiver: GuestAgentReceiver
    private let logger: Logger
    private var needsSync = true
    private var busy = false
    private var queue: [CheckedContinuation<Void, Never>] = []

    private init(socketPath: String, commandTimeout: Duration, syncTimeout: Duration, channel: any Channel, receiver: GuestAgentReceiver, logger: Logger) {
        self.socketPath = socketPath
        self.commandTimeout = commandTimeout
        self.syncTimeout = syncTimeout
        self.channel = channel
        self.receiver = receiver
        self.logger = logger
    }

    deinit {
        channel.close(promise: nil)
    }

    /// Connects to the agent's socket at `path` and performs the handshake.
    ///
    /// - Throws: `GuestAgentError.connectFailed` when the socket cannot be connected; `.noAgent`
    ///   when nothing answers the handshake within `syncTimeout` (the guest runs no agent).
    public static func connect(
        path: String, syncTimeout: Duration = .seconds(3), commandTimeout: Duration = .seconds(10), logger: Logger
    ) async throws -> GuestAgentClient {
        var logger = logger
        logger[metadataKey: "guest-agent.socket"] = "\(path)"
        let receiver = GuestAgentReceiver()
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(TimeAmount(syncTimeout))
                .connect(unixDomainSocketPath: path) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(GuestAgentChannelHandler(receiver: receiver))
                        return channel
                    }
                }
        } catch {
            throw GuestAgentError.connectFailed(path: path, reason: "\(error)")
        }
        let client = GuestAgentClient(
            socketPath: path, commandTimeout: commandTimeout, syncTimeout: syncTimeout, channel: channel, receiver: receiver, logger: logger)
        do {
            try await client.serialized { try await client.synchronize() }
        } catch {
            await client.close()
            throw error
        }
        return client
    }

    public func execute(_ command: String, arguments: [String: JSONValue]?, timeout: Duration?) async throws -> JSONValue {
        try await serialized {
            if needsSync { try await synchronize() }
            var request: [String: JSONValue] = ["execute": .string(command)]
            if let arguments { request["arguments"] = .object(arguments) }
            try await send(Array(JSONValue.object(request).jsonText.utf8) + [UInt8(ascii: "\n")])
            let waited = timeout ?? commandTimeout
            let line: [UInt8]
            do {
                line = try await receiver.nextLine(timeout: waited, eventLoop: channel.eventLoop, onTimeout: .timeout(command: command, waited: waited))
            } catch {
                // The answer may still come; the next command must not take it for its own.
                needsSync = true
                throw error
            }
            return try Self.result(of: line, command: command)
        }
    }

    public func close() async {
        receiver.close(reason: .disconnected)
        try? await channel.close()
    }

    /// `guest-sync-delimited` with a fresh random id: a `0xFF` first makes qemu-ga drop any
    /// half-received request, everything before the agent's own `0xFF` is dropped, and answers
    /// that carry another id (an earlier handshake's) are skipped.
    private func synchronize() async throws {
        let id = Int.random(in: 1...(1 << 31))
        receiver.expectSentinel()
        let request = JSONValue.object(["execute": "guest-sync-delimited", "arguments": ["id": .number(Double(id))]]).jsonText
        try await send([GuestAgentFramer.sentinel] + Array(request.utf8) + [UInt8(ascii: "\n")])
        let deadline = ContinuousClock.now + syncTimeout
        while true {
            let left = deadline - ContinuousClock.now
            guard left > .zero else { throw GuestAgentError.noAgent(path: socketPath, waited: syncTimeout) }
            let line = try await receiver.nextLine(
                timeout: left, eventLoop: channel.eventLoop, onTimeout: .noAgent(path: socketPath, waited: syncTimeout))
            if let answer = try? JSONValue(jsonBytes: line), answer["return"]?.intValue == id { break }
            logger.debug("guest agent: skipped stale output", metadata: ["guest-agent.line": "\(String(decoding: line.prefix(200), as: UTF8.self))"])
        }
        needsSync = false
        logger.debug("guest agent synchronised")
    }

    private func send(_ bytes: [UInt8]) async throws {
        guard !receiver.isClosed else { throw GuestAgentError.disconnected }
        do {
            try await channel.writeAndFlush(ByteBuffer(bytes: bytes))
        } catch {
            throw GuestAgentError.disconnected
        }
    }

    /// Runs `body` when no other request is in flight on this connection: the actor alone would
    /// let a second request start while the first awaits its answer.
    private func serialized<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        if busy {
            await withCheckedContinuation { queue.append($0) }
        }
        busy = true
        defer {
            if queue.isEmpty { busy = false } else { queue.removeFirst().resume() }
        }
        return try await body()
    }

    /// The `return` value of an answer line, or its error.
    static func result(of line: [UInt8], command: String) throws -> JSONValue {
        let answer: JSONValue
        do {
            answer = try JSONValue(jsonBytes: line)
        } catch {
            throw GuestAgentError.protocolViolation("an answer to \(command) that is not JSON: \(String(decoding: line.prefix(200), as: UTF8.self))")
        }
        if let error = answer["error"] {
            throw GuestAgentError.commandFailed(
                command: command, class: error["class"]?.stringValue ?? "GenericError", description: error["desc"]?.stringValue ?? "\(error)")
        }
        guard let value = answer["return"] else {
            throw GuestAgentError.protocolViolation("an answer to \(command) with neither return nor error")
        }
        return value
    }
}

/// Hands the socket's bytes and its end to the receiver.
final class GuestAgentChannelHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    private let receiver: GuestAgentReceiver

    init(receiver: GuestAgentReceiver) { self.receiver = receiver }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        receiver.receive(unwrapInboundIn(data).readableBytesView)
    }

    func channelInactive(context: ChannelHandlerContext) {
        receiver.close(reason: .disconnected)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        receiver.close(reason: .disconnected)
        context.close(promise: nil)
    }
}
