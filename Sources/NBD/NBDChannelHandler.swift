import Logging
import NIOCore

/// Hands decoded frames to the dispatcher, and the channel's end (or a broken frame) to its close.
final class NBDChannelHandler: ChannelInboundHandler {
    typealias InboundIn = NBDServerFrame

    private let dispatcher: NBDDispatcher
    private let logger: Logger

    init(dispatcher: NBDDispatcher, logger: Logger) {
        self.dispatcher = dispatcher
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !dispatcher.isClosed else { return }
        do {
            try dispatcher.receive(unwrapInboundIn(data))
        } catch {
            logger.warning("closing NBD connection", metadata: ["nbd.error": "\(error)"])
            dispatcher.close(reason: error)
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        dispatcher.close(reason: .disconnected)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        let reason = (error as? NBDError) ?? .disconnected
        logger.debug("NBD socket error", metadata: ["nbd.error": "\(error)"])
        dispatcher.close(reason: reason)
        context.close(promise: nil)
    }
}
