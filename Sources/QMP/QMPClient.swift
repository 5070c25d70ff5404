import Logging
import NIOCore
import NIOPosix

/// A connection to one QEMU's QMP monitor over its Unix socket.
///
/// Safe to use from many tasks at once: each command carries its own id and its response is
/// matched by that id, so concurrent `execute` calls never see each other's answers, and events
/// go to `events` only. When the connection ends (QEMU exited, the socket was dropped, or
/// `close()` was called), waiting commands throw `QMPError.disconnected`, `events` finishes after
/// everything received before the end, and `waitUntilClosed()` returns.
public final class QMPClient: Sendable {
    /// The banner QEMU sent on connect.
    public let greeting: QMPGreeting

    private let channel: any Channel
    private let dispatcher: QMPDispatcher
    private let logger: Logger

    private init(greeting: QMPGreeting, channel: any Channel, dispatcher: QMPDispatcher, logger: Logger) {
        self.greeting = greeting
        self.channel = channel
        self.dispatcher = dispatcher
        self.logger = logger
    }

    deinit {
        // A dropped client must not keep its socket open on the event loop.
        channel.close(promise: nil)
    }

    /// Connects to the QMP socket at `path`, reads the greeting and negotiates capabilities
    /// (`qmp_capabilities`), all within `timeout`.
    ///
    /// - Throws: `QMPError.connectFailed` when the socket cannot be connected (missing, refused,
    ///   or a path longer than a Unix socket allows), `.timeout` when the handshake takes too long,
    ///   `.protocolViolation` or `.disconnected` when the peer misbehaves.
    public static func connect(
        path: String,
        timeout: Duration = .seconds(5),
        logger: Logger
    ) async throws -> QMPClient {
        var logger = logger
        logger[metadataKey: "qmp.socket"] = "\(path)"
        let dispatcher = QMPDispatcher(logger: logger)
        let channel = try await openChannel(path: path, timeout: timeout, dispatcher: dispatcher, logger: logger)

        // Bound the handshake: on expiry the dispatcher fails whatever waits with `.timeout`.
        let deadline = channel.eventLoop.scheduleTask(in: TimeAmount(timeout)) {
            dispatcher.close(reason: .timeout("no QMP handshake on \(path) within \(timeout)"))
            channel.close(promise: nil)
        }
        defer { deadline.cancel() }
        do {
            let greeting = try await dispatcher.waitForGreeting()
            _ = try await send(
                "qmp_capabilities",
                arguments: nil,
                channel: channel,
                dispatcher: dispatcher,
                logger: logger
            )
            logger.debug("QMP connected", metadata: ["qmp.version": "\(greeting.version)"])
            return QMPClient(greeting: greeting, channel: channel, dispatcher: dispatcher, logger: logger)
        } catch {
            channel.close(promise: nil)
            throw error
        }
    }

    /// Sends `{"execute": command, "arguments": arguments, "id": N}` and returns the response's
    /// `return` value.
    ///
    /// - Throws: `QMPError.commandFailed` when QEMU answers with an error, `.disconnected` when the
    ///   connection closes before the answer, `CancellationError` when the calling task is cancelled.
    public func execute(_ command: String, arguments: [String: JSONValue]? = nil) async throws -> JSONValue {
        try await Self.send(command, arguments: arguments, channel: channel, dispatcher: dispatcher, logger: logger)
    }

    /// Events QEMU sends (SHUTDOWN, STOP, RESUME, RESET, GUEST_PANICKED, …), in arrival order.
    ///
    /// A single-consumer stream: iterate it from one task. It finishes when the connection closes.
    public var events: AsyncStream<QMPEvent> {
        dispatcher.events
    }

    /// Starts watching for the next event named `name` whose `data` satisfies `matches`.
    ///
    /// Arm the watch before sending the command that causes the event, then wait on it: the event may
    /// arrive before the command's answer. The event still goes to `events` as well.
    public func watchEvent(
        _ name: String,
        describedAs what: String? = nil,
        matching matches: @escaping @Sendable (JSONValue) -> Bool = { _ in true }
    ) -> QMPEventWatch {
        let token = dispatcher.eventWaiters.watch { $0.name == name && matches($0.data) }
        return QMPEventWatch(
            what: what ?? name, token: token, waiters: dispatcher.eventWaiters, eventLoop: channel.eventLoop)
    }

    /// Whether the connection is still open.
    public var isConnected: Bool {
        !dispatcher.isClosed
    }

    /// Closes the connection; QEMU keeps running. Calling it again does nothing.
    public func close() async {
        try? await channel.close()
        await dispatcher.waitUntilClosed()
    }

    /// Returns once the connection has closed: QEMU exited, dropped the socket, or `close()` was called.
    public func waitUntilClosed() async {
        await dispatcher.waitUntilClosed()
    }

    private static func openChannel(
        path: String,
        timeout: Duration,
        dispatcher: QMPDispatcher,
        logger: Logger
    ) async throws -> any Channel {
        do {
            return try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(TimeAmount(timeout))
                .connect(unixDomainSocketPath: path) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let handlers = channel.pipeline.syncOperations
                        try handlers.addHandler(ByteToMessageHandler(QMPLineDecoder()))
                        try handlers.addHandler(QMPChannelHandler(dispatcher: dispatcher, logger: logger))
                        return channel
                    }
                }
        } catch {
            throw QMPError.connectFailed(path: path, reason: "\(error)")
        }
    }

    private static func send(
        _ command: String,
        arguments: [String: JSONValue]?,
        channel: any Channel,
        dispatcher: QMPDispatcher,
        logger: Logger
    ) async throws -> JSONValue {
        let id = dispatcher.makeID()
        var request: [String: JSONValue] = ["execute": .string(command), "id": .number(Double(id))]
        if let arguments { request["arguments"] = .object(arguments) }
        let line = JSONValue.object(request).jsonText
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                guard dispatcher.register(id: id, continuation) else { return }
                // The cancellation handler may have run before the registration it would undo.
                if Task.isCancelled {
                    dispatcher.cancel(id: id)
                    return
                }
                logger.debug("QMP send", metadata: ["qmp.message": "\(line)"])
                var buffer = channel.allocator.buffer(capacity: line.utf8.count + 1)
                buffer.writeString(line)
                buffer.writeInteger(UInt8(ascii: "\n"))
                channel.writeAndFlush(buffer).whenFailure { _ in
                    dispatcher.fail(id: id, with: QMPError.disconnected)
                }
            }
        } onCancel: {
            dispatcher.cancel(id: id)
        }
    }
}
