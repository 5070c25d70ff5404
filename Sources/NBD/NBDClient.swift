import Logging
import NIOCore
import NIOPosix

/// A read-only connection to one export of an NBD server: reads (holes come back as zeroes without
/// crossing the wire as data) and block status of the meta contexts agreed at connect time
/// (`base:allocation`, `qemu:dirty-bitmap:NAME`).
///
/// Safe to use from many tasks at once: requests are pipelined, each matched to its reply by cookie.
/// Every request has a deadline; one that passes closes the connection (its state is then unknown)
/// and fails everything in flight with `NBDError.timeout`. A cancelled request fails at once with
/// `CancellationError`, and its reply is dropped when it comes.
public final class NBDClient: Sendable {
    /// The export as the server described it, with the meta contexts it agreed to.
    public let export: NBDExportInfo
    /// The export's name.
    public let exportName: String

    let channel: any Channel
    let dispatcher: NBDDispatcher
    let requestTimeout: Duration
    let logger: Logger

    private init(
        export: NBDExportInfo, exportName: String, channel: any Channel, dispatcher: NBDDispatcher, requestTimeout: Duration,
        logger: Logger
    ) {
        self.export = export
        self.exportName = exportName
        self.channel = channel
        self.dispatcher = dispatcher
        self.requestTimeout = requestTimeout
        self.logger = logger
    }

    deinit {
        channel.close(promise: nil)
    }

    /// Connects to `address` and negotiates export `exportName` (fixed newstyle, structured replies,
    /// `metaContexts`, `NBD_OPT_GO`), all within `timeout`.
    ///
    /// - Throws: `NBDError.connectFailed` when the socket cannot be connected; `.optionRefused` when
    ///   the server lacks the export, structured replies, or one of `metaContexts` (e.g. a dirty bitmap
    ///   the export does not carry); `.timeout` when negotiation takes too long.
    public static func connect(
        to address: NBDAddress,
        export exportName: String,
        metaContexts: [String] = [],
        timeout: Duration = .seconds(10),
        requestTimeout: Duration = .seconds(120),
        logger: Logger
    ) async throws -> NBDClient {
        var logger = logger
        logger[metadataKey: "nbd.server"] = "\(address)"
        logger[metadataKey: "nbd.export"] = "\(exportName)"
        let dispatcher = NBDDispatcher()
        let channel = try await openChannel(address, timeout: timeout, dispatcher: dispatcher, logger: logger)
        let deadline = channel.eventLoop.scheduleTask(in: TimeAmount(timeout)) {
            dispatcher.close(reason: .timeout("no NBD negotiation with \(address) within \(timeout)"))
            channel.close(promise: nil)
        }
        defer { deadline.cancel() }
        do {
            let handshake = NBDHandshake(channel: channel, dispatcher: dispatcher)
            let info = try await handshake.negotiate(export: exportName, metaContexts: metaContexts)
            logger.debug("NBD connected", metadata: ["nbd.size": "\(info.size)", "nbd.contexts": "\(info.metaContexts)"])
            return NBDClient(
                export: info, exportName: exportName, channel: channel, dispatcher: dispatcher, requestTimeout: requestTimeout,
                logger: logger)
        } catch {
            channel.close(promise: nil)
            throw error
        }
    }

    /// Whether the connection is still open.
    public var isConnected: Bool { !dispatcher.isClosed }

    /// Tells the server the client is done (`NBD_CMD_DISC`) and closes the connection. Calling it again
    /// does nothing.
    public func close() async {
        if !dispatcher.isClosed {
            let request = NBDRequest(command: .disconnect, cookie: dispatcher.makeCookie(), offset: 0, length: 0)
            try? await write(.request(request))
        }
        dispatcher.close(reason: .disconnected)
        try? await channel.close()
    }

    func write(_ message: NBDClientMessage) async throws {
        var buffer = channel.allocator.buffer(capacity: 32)
        message.encode(into: &buffer)
        try await channel.writeAndFlush(buffer)
    }

    private static func openChannel(
        _ address: NBDAddress, timeout: Duration, dispatcher: NBDDispatcher, logger: Logger
    ) async throws -> any Channel {
        let bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(TimeAmount(timeout))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let handlers = channel.pipeline.syncOperations
                    try handlers.addHandler(ByteToMessageHandler(NBDFrameDecoder()))
                    try handlers.addHandler(NBDChannelHandler(dispatcher: dispatcher, logger: logger))
                }
            }
        do {
            switch address {
            case .unix(let path): return try await bootstrap.connect(unixDomainSocketPath: path).get()
            case .tcp(let host, let port): return try await bootstrap.connect(host: host, port: port).get()
            }
        } catch {
            throw NBDError.connectFailed(address: "\(address)", reason: "\(error)")
        }
    }
}
