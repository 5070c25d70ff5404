import NIOCore

/// Passes the end of the connection (`channelInactive`) on one event-loop turn late.
///
/// A server may send its first frames and close right behind its `101` (an event stream that has
/// said all it will). The HTTP decoder hands the bytes that follow the response to the WebSocket
/// handlers only as it leaves the pipeline, on a later turn; had the close reached it first, it would
/// take them for an unfinished response and drop them, frames and close reason alike. Deferring the
/// close by a turn lets the upgrade finish first: NIO runs scheduled work in order.
final class DeferredInactive: ChannelInboundHandler {
    typealias InboundIn = NIOAny

    private var removed = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.fireChannelRead(data)
    }

    func channelInactive(context: ChannelHandlerContext) {
        context.eventLoop.assumeIsolated().execute {
            // The pipeline is taken down on a turn scheduled after this one; if it went first, so did everyone to tell.
            guard !self.removed else { return }
            context.fireChannelInactive()
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.removed = true
    }
}

@available(*, unavailable)
extension DeferredInactive: Sendable {}
