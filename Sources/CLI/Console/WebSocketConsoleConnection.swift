import NIOCore
import NIOHTTP1
import NIOWebSocket

/// A byte stream to an instance's serial console, carried as binary WebSocket frames over joistd's API.
///
/// Open one with ``withConnection(to:path:headers:maxFrameSize:_:)``; the connection is valid only
/// inside that call, which closes it on every exit path (NIO's scoped `executeThenClose`).
struct WebSocketConsoleConnection: Sendable {
    /// How the server ended the WebSocket: its close code and reason text.
    struct CloseReason: Sendable, Equatable {
        /// The close code, e.g. `.normalClosure` or `.goingAway`.
        let code: WebSocketErrorCode
        /// The server's explanation, e.g. `instance web-1 stopped`; may be empty.
        let reason: String
    }

    /// Guest output in chunks as they arrive; ends when the connection closes.
    let inbound: Inbound
    private let channel: any Channel
    private let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    private let closeReasonBox: ConsoleLockedValue<CloseReason?>

    /// The server's close frame, once `inbound` has ended because of one; nil if the connection dropped.
    var closeReason: CloseReason? { self.closeReasonBox.value }

    /// Sends bytes (keystrokes) to the guest as one binary frame.
    func send(_ bytes: some Sequence<UInt8>) async throws {
        try await self.outbound.write(ByteBuffer(bytes: bytes))
    }

    /// Starts the close handshake (a normal-closure frame) and closes the socket.
    func close() async {
        // Closing twice or closing a connection the server already closed is not a failure here.
        try? await self.channel.close()
    }

    /// Opens the console at `path` (e.g. `/1.0/instances/web-1/console`), runs `body`, then closes.
    ///
    /// Throws ``ConsoleError`` with code `.upgradeRejected` and the API's message when joistd answers
    /// the upgrade with an HTTP error such as 404 (unknown instance) or 409 (instance not running).
    static func withConnection<Result>(
        to endpoint: ConsoleEndpoint,
        path: String,
        headers: HTTPHeaders = [:],
        maxFrameSize: Int = 1 << 20,
        _ body: (WebSocketConsoleConnection) async throws -> Result
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
            throw ConsoleError.connectionFailed(endpoint, cause: error)
        }

        let result: Upgrade
        do {
            result = try await upgrade.get()
        } catch {
            try? await channel.close()
            throw ConsoleError.protocolViolation("console upgrade failed: \(error)")
        }
        switch result {
        case .upgraded(let webSocket):
            return try await webSocket.executeThenClose { inbound, outbound in
                let connection = WebSocketConsoleConnection(
                    inbound: Inbound(stream: inbound),
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

    /// The outcome of the HTTP upgrade.
    private enum Upgrade: Sendable {
        case upgraded(NIOAsyncChannel<ByteBuffer, ByteBuffer>)
        case rejected(NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>)
    }

    /// Builds the HTTP client pipeline that upgrades to a WebSocket carrying raw bytes.
    private static func configure(
        _ channel: any Channel,
        head: HTTPRequestHead,
        maxFrameSize: Int,
        closeReason: ConsoleLockedValue<CloseReason?>
    ) throws -> EventLoopFuture<Upgrade> {
        let upgrader = NIOTypedWebSocketClientUpgrader<Upgrade>(maxFrameSize: maxFrameSize) { channel, _ in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHandler(ConsoleFrameHandler(closeReason: closeReason))
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
        return try channel.pipeline.syncOperations.configureUpgradableHTTPClientPipeline(
            configuration: .init(upgradeConfiguration: configuration)
        )
    }

    /// Reads the HTTP error that refused the upgrade and turns it into a ``ConsoleError``.
    private static func readRejection(
        _ http: NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>
    ) async throws -> ConsoleError {
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
                return ConsoleError.protocolViolation("joistd closed the connection without answering the console upgrade")
            }
            return ConsoleError.upgradeRejected(status: status, body: body)
        }
    }
}
