import Logging
import NIOCore

/// Turns lines from the socket into QMP messages for the dispatcher, and the channel's end into
/// the dispatcher's close.
final class QMPChannelHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let dispatcher: QMPDispatcher
    private let logger: Logger

    init(dispatcher: QMPDispatcher, logger: Logger) {
        self.dispatcher = dispatcher
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let line = unwrapInboundIn(data)
        logger.debug("QMP receive", metadata: ["qmp.message": "\(String(buffer: line))"])
        guard !dispatcher.isClosed else { return }
        do {
            try dispatcher.receive(QMPMessage.parse(line: line.readableBytesView))
        } catch {
            logger.warning("closing QMP connection", metadata: ["qmp.error": "\(error)"])
            dispatcher.close(reason: error)
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        dispatcher.close(reason: .disconnected)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        let reason: QMPError =
            if let tooLong = error as? QMPLineDecoder.LineTooLong {
                .protocolViolation("message longer than \(tooLong.limit) bytes")
            } else {
                .disconnected
            }
        logger.debug("QMP socket error", metadata: ["qmp.error": "\(error)"])
        dispatcher.close(reason: reason)
        context.close(promise: nil)
    }
}
