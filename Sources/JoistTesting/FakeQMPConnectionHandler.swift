import NIOCore
import QMP

/// Plays QEMU's side of one QMP connection: greet, insist on `qmp_capabilities`, then answer as
/// the test's script says.
final class FakeQMPConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let core: FakeQMPServerCore
    private var negotiated = false

    init(core: FakeQMPServerCore) {
        self.core = core
    }

    func channelActive(context: ChannelHandlerContext) {
        core.connected(context.channel)
        if let greeting = core.greeting {
            Self.send(greeting, on: context.channel)
        }
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        core.disconnected(context.channel)
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let line = unwrapInboundIn(data)
        let channel = context.channel
        guard
            let request = try? JSONValue(jsonBytes: line.readableBytesView),
            let name = request["execute"]?.stringValue
        else {
            Self.send(
                ["error": ["class": "GenericError", "desc": "QMP input must be a JSON object with 'execute'"]],
                on: channel
            )
            return
        }
        let id = request["id"]
        switch (negotiated, name) {
        case (false, "qmp_capabilities"):
            negotiated = true
            // Recorded before the answer goes out, so an event emitted right after connect reaches us.
            core.negotiated(channel)
            Self.perform(.success([:]), id: id, on: channel)
        case (false, _):
            Self.perform(
                .error(
                    class: "CommandNotFound",
                    description: "Expecting capabilities negotiation with 'qmp_capabilities'"
                ),
                id: id,
                on: channel
            )
        case (true, "qmp_capabilities"):
            Self.perform(
                .error(
                    class: "CommandNotFound",
                    description: "Capabilities negotiation is already complete, command ignored"
                ),
                id: id,
                on: channel
            )
        case (true, _):
            let command = FakeQMPServer.Command(name: name, arguments: request["arguments"], id: id)
            Self.perform(core.reply(to: command), id: id, on: channel)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    private static func perform(_ reply: FakeQMPServer.Reply, id: JSONValue?, on channel: any Channel) {
        switch reply {
        case .success(let value):
            send(response(["return": value], id: id), on: channel)
        case .error(let errorClass, let description):
            send(
                response(["error": ["class": .string(errorClass), "desc": .string(description)]], id: id),
                on: channel
            )
        case .noReply:
            break
        case .disconnect:
            channel.close(promise: nil)
        case .successThenDisconnect(let value):
            send(response(["return": value], id: id), on: channel)
            channel.close(promise: nil)
        case .delayed(let delay, let later):
            channel.eventLoop.scheduleTask(in: TimeAmount(delay)) {
                perform(later, id: id, on: channel)
            }
        }
    }

    private static func response(_ members: [String: JSONValue], id: JSONValue?) -> JSONValue {
        var members = members
        if let id { members["id"] = id }
        return .object(members)
    }

    private static func send(_ message: JSONValue, on channel: any Channel) {
        channel.writeAndFlush(ByteBuffer(string: message.jsonText + "\n"), promise: nil)
    }
}
