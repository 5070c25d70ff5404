import NIOCore
import NIOHTTP1
import NIOWebSocket

/// A WebSocket to one of joistd's API routes: the serial console (raw bytes both ways) or the
/// event stream (JSON text messages in).
///
/// Open one with ``withConnection(to:path:headers:maxFrameSize:_:)``; the connection is valid only
/// inside that call, which closes it on every exit path (NIO's scoped `executeThenClose`). Read it
/// through exactly one of ``bytes`` or ``textMessages``, once.
struct WebSocketConnection: Sendable {
    /// How the server ended the WebSocket: its close code and reason text.
    struct CloseReason: Sendable, Equatable {
        /// The close code, e.g. `.normalClosure` or `.goingAway`.
        let code: WebSocketErrorCode
        /// The server's explanation, e.g. `instance web-1 stopped`; may be empty.
        let reason: String
    }

    /// Incoming data as raw byte chunks in arrival order, message boundaries ignored (the console's view).
    let bytes: Bytes
    /// Incoming text messages, whole (the event stream's view).
    let textMessages: TextMessages
    private let channel: any Channel
    private let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    private let closeReasonBox: ConsoleLockedValue<CloseReason?>

    /// The server's close frame, once input has ended because of one; nil if the connection dropped.
    var closeReason: CloseReason? { self.closeReasonBox.value }

    /// Sends bytes (keystrokes) as one binary frame.
    func send(_ bytes: some Sequence<UInt8>) async throws {
        try await self.outbound.write(ByteBuffer(bytes: bytes))
    }

    /// Starts the close handshake (a normal-closure frame) and closes the socket.
    func close() async {
        // Closing twice or closing a connection the server already closed is not a failure here.
        try? await self.channel.close()
    }

    /// Opens the WebSocket at `path` (e.g. `/1.0/instances/web-1/console` or `/1.0/events`), runs
    /// `body`, then closes.
    ///
    /// - Parameters:
    ///   - endpoint: The Unix socket, or TLS to a remote.
    ///   - headers: Extra upgrade-request headers, e.g. `Authorization: Bearer …` for a remote.
    ///   - maxFrameSize: The largest frame accepted, and the largest text message ``textMessages`` joins.
    /// - Throws: ``WebSocketError``: `.connectionFailed` when joistd cannot be reached or the TLS
    ///   handshake fails; `.upgradeRejected` with the API's message when joistd refuses the
    ///   WebSocket (401, 404 for an unknown instance, 409 for one not running…). joistd refuses by
    ///   closing at once with code 4000 + status, so that error comes from reading ``bytes`` or
    ///   ``textMessages``; an HTTP error answering the upgrade itself is read the same way.
    static func withConnection<Result>(
        to endpoint: WebSocketEndpoint,
        path: String,
        headers: HTTPHeaders = [:],
        maxFrameSize: Int = 1 << 20,
        _ body: (WebSocketConnection) async throws -> Result
    ) async throws -> Result {
        let closeReason = ConsoleLockedValue<CloseReason?>(nil)
        var requestHeaders = headers
        requestHeaders.replaceOrAdd(name: "Host", value: endpoint.hostHeader)
        // Without a length the request encoder would frame the empty upgrade request as chunked.
        requestHeaders.replaceOrAdd(name: "Content-Length", value: "0")
        let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: path, headers: requestHeaders)

        let channel: any Channel
        let upgrade: EventLoopFuture<Upgrade>
        do {
            (channel, upgrade) = try await endpoint.connect { channel in
                channel.eventLoop.makeCompletedFuture {
                    let upgrade = try Self.configure(channel, head: head, maxFrameSize: maxFrameSize, closeReason: closeReason)
                    return (channel, upgrade)
                }
            }
        } catch {
            throw WebSocketError.connectionFailed(endpoint, cause: error)
        }

        let result: Upgrade
        do {
            result = try await upgrade.get()
        } catch {
            let hungUp = !channel.isActive
            try? await channel.close()
            if let error = error as? WebSocketError { throw error }
            // With TLS the handshake happens here, after connecting: a refused certificate is a connection failure.
            if isTLSFailure(error) { throw WebSocketError.connectionFailed(endpoint, cause: error) }
            if hungUp { throw Self.hungUp }
            throw WebSocketError.protocolViolation("WebSocket upgrade for \(path) failed: \(error)")
        }
        switch result {
        case .upgraded(let webSocket):
            return try await webSocket.executeThenClose { inbound, outbound in
                let connection = WebSocketConnection(
                    bytes: Bytes(stream: inbound, closeReason: closeReason),
                    textMessages: TextMessages(stream: inbound, maxMessageSize: maxFrameSize, closeReason: closeReason),
                    channel: webSocket.channel,
                    outbound: outbound,
                    closeReasonBox: closeReason
                )
                return try await body(connection)
            }
        case .rejected(let http):
            throw try await Self.readRejection(http)
        }
    }

    /// The server hung up before answering the upgrade.
    private static let hungUp = WebSocketError.protocolViolation("joistd closed the connection without answering the WebSocket upgrade")

    /// The outcome of the HTTP upgrade.
    private enum Upgrade: Sendable {
        case upgraded(NIOAsyncChannel<WebSocketFragment, ByteBuffer>)
        case rejected(NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>)
    }

    /// Builds the HTTP client pipeline that upgrades to a WebSocket.
    private static func configure(
        _ channel: any Channel,
        head: HTTPRequestHead,
        maxFrameSize: Int,
        closeReason: ConsoleLockedValue<CloseReason?>
    ) throws -> EventLoopFuture<Upgrade> {
        let upgrader = NIOTypedWebSocketClientUpgrader<Upgrade>(maxFrameSize: maxFrameSize) { channel, _ in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHandler(WebSocketFrameHandler(closeReason: closeReason))
                return .upgraded(try NIOAsyncChannel(wrappingChannelSynchronously: channel))
            }
        }
        let configuration = NIOTypedHTTPClientUpgradeConfiguration<Upgrade>(
            upgradeRequestHead: head,
            upgraders: [upgrader],
            notUpgradingCompletionHandler: { channel in
                // The response head, body and end arrive after this handler, through the HTTP decoder.
                channel.eventLoop.makeCompletedFuture {
                    .rejected(try NIOAsyncChannel(wrappingChannelSynchronously: channel))
                }
            }
        )
        var pipeline = NIOUpgradableHTTPClientPipelineConfiguration(upgradeConfiguration: configuration)
        // Frames the server sends right behind its 101 (the first events, say) can arrive in the same
        // read as the response; the default drops whatever the HTTP decoder has not consumed.
        pipeline.leftOverBytesStrategy = .forwardBytes
        try channel.pipeline.syncOperations.addHandler(DeferredInactive())
        let upgrade = try channel.pipeline.syncOperations.configureUpgradableHTTPClientPipeline(configuration: pipeline)
        // The upgrade handler ignores the connection's end: a server that hangs up without answering
        // would leave the upgrade pending forever. The close future completes after any upgrade could.
        let outcome = channel.eventLoop.makePromise(of: Upgrade.self)
        upgrade.cascade(to: outcome)
        channel.closeFuture.whenComplete { _ in outcome.fail(Self.hungUp) }
        return outcome.futureResult
    }

    /// Reads the HTTP error that refused the upgrade and turns it into a ``WebSocketError``.
    private static func readRejection(
        _ http: NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>
    ) async throws -> WebSocketError {
        let maxBodyBytes = 64 * 1024
        return try await http.executeThenClose { inbound, _ in
            var status: HTTPResponseStatus?
            var body = ByteBuffer()
            loop: for try await part in inbound {
                switch part {
                case .head(let head):
                    status = head.status
                case .body(var chunk):
                    if body.readableBytes < maxBodyBytes { body.writeBuffer(&chunk) }
                case .end:
                    break loop
                }
            }
            guard let status else {
                return WebSocketError.protocolViolation("joistd closed the connection without answering the WebSocket upgrade")
            }
            return WebSocketError.upgradeRejected(status: status, body: body)
        }
    }
}
