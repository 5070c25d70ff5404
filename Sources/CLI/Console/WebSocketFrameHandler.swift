import NIOCore
import NIOWebSocket

/// One piece of a data message as it arrives: a whole message when `isFinal` is set on the first
/// piece, otherwise the start or continuation of a fragmented one.
struct WebSocketFragment: Sendable, Equatable {
    /// Whether the message this piece belongs to is text or binary.
    enum Kind: Sendable, Equatable { case text, binary }

    /// The message's kind (continuation frames inherit the first frame's).
    let kind: Kind
    /// The unmasked payload bytes.
    let payload: ByteBuffer
    /// Whether this piece ends its message.
    let isFinal: Bool
}

/// The client side of a WebSocket's framing: data frames in become ``WebSocketFragment``s, bytes
/// out become masked binary frames, pings get pongs, and the close handshake runs both ways.
///
/// Fragments are passed on as they arrive, so a byte stream (the console) need not wait for a
/// message to end; readers that want whole messages (events) join them (``WebSocketConnection/TextMessages``).
/// Sits above NIOWebSocket's frame codec, below the `NIOAsyncChannel` the connection reads.
final class WebSocketFrameHandler: ChannelDuplexHandler {
    typealias InboundIn = WebSocketFrame
    typealias InboundOut = WebSocketFragment
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = WebSocketFrame

    /// Where the server's close code and reason go, for the reader to see once input ends.
    private let closeReason: ConsoleLockedValue<WebSocketConnection.CloseReason?>
    /// Whether our close frame is already on the wire; a close frame is sent at most once.
    private var sentClose = false
    /// The kind of the fragmented message in progress, if any.
    private var continuing: WebSocketFragment.Kind?

    /// A handler that records the server's close frame in `closeReason`.
    init(closeReason: ConsoleLockedValue<WebSocketConnection.CloseReason?>) {
        self.closeReason = closeReason
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = Self.unwrapInboundIn(data)
        switch frame.opcode {
        case .binary, .text:
            guard self.continuing == nil else { return self.closeWithError(.protocolError, context: context) }
            let kind: WebSocketFragment.Kind = frame.opcode == .text ? .text : .binary
            self.continuing = frame.fin ? nil : kind
            context.fireChannelRead(Self.wrapInboundOut(.init(kind: kind, payload: frame.unmaskedData, isFinal: frame.fin)))
        case .continuation:
            guard let kind = self.continuing else { return self.closeWithError(.protocolError, context: context) }
            if frame.fin { self.continuing = nil }
            context.fireChannelRead(Self.wrapInboundOut(.init(kind: kind, payload: frame.unmaskedData, isFinal: frame.fin)))
        case .ping:
            self.send(.pong, data: frame.unmaskedData, context: context, promise: nil)
            context.flush()
        case .pong:
            break
        case .connectionClose:
            self.receivedClose(frame, context: context)
        default:
            self.closeWithError(.protocolError, context: context)
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        self.send(.binary, data: Self.unwrapOutboundIn(data), context: context, promise: promise)
    }

    /// Closing says goodbye first: a normal-closure frame, then the socket.
    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        guard mode == .all, !self.sentClose, context.channel.isActive else {
            context.close(mode: mode, promise: promise)
            return
        }
        var data = context.channel.allocator.buffer(capacity: 2)
        data.write(webSocketErrorCode: .normalClosure)
        self.sentClose = true
        let closeFrame = WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: .random(), data: data)
        context.writeAndFlush(Self.wrapOutboundOut(closeFrame))
            .assumeIsolated()
            .whenComplete { _ in context.close(mode: mode, promise: promise) }
    }

    /// Records the server's reason, echoes the close as RFC 6455 asks, and ends the connection.
    private func receivedClose(_ frame: WebSocketFrame, context: ChannelHandlerContext) {
        var data = frame.unmaskedData
        let code = data.readWebSocketErrorCode() ?? .unknown(1005)
        let reason = data.readString(length: data.readableBytes) ?? ""
        self.closeReason.withLock { $0 = .init(code: code, reason: reason) }
        guard !self.sentClose else {
            context.close(promise: nil)
            return
        }
        self.sentClose = true
        var reply = context.channel.allocator.buffer(capacity: 2)
        reply.write(webSocketErrorCode: code)
        self.send(.connectionClose, data: reply, context: context, promise: nil)
        context.flush()
        context.close(promise: nil)
    }

    /// Answers a frame we do not understand by closing with `code`.
    private func closeWithError(_ code: WebSocketErrorCode, context: ChannelHandlerContext) {
        var data = context.channel.allocator.buffer(capacity: 2)
        data.write(webSocketErrorCode: code)
        self.sentClose = true
        self.send(.connectionClose, data: data, context: context, promise: nil)
        context.flush()
        context.close(promise: nil)
    }

    /// Writes one final frame, masked with a fresh key as RFC 6455 requires of every client frame.
    private func send(
        _ opcode: WebSocketOpcode,
        data: ByteBuffer,
        context: ChannelHandlerContext,
        promise: EventLoopPromise<Void>?
    ) {
        let frame = WebSocketFrame(fin: true, opcode: opcode, maskKey: .random(), data: data)
        context.write(Self.wrapOutboundOut(frame), promise: promise)
    }
}

@available(*, unavailable)
extension WebSocketFrameHandler: Sendable {}
