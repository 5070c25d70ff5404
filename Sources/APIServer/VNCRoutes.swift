import Daemon
import Foundation
import Hummingbird
import HummingbirdWebSocket
import JoistCore
import NIOCore
import NIOPosix
import QEMUDriver

/// `GET /1.0/instances/{name}/vnc`: the guest's screen as RFB over a WebSocket of binary frames, both
/// ways, proxied to QEMU's VNC socket (the web UI's noVNC speaks it). Viewers watch; operators (and
/// admins) also type and point (see `RFBClientFilter`).
enum VNCRoutes {
    static func register(on table: inout RouteTable) {
        let manager = table.services.instances
        table.webSocket("/1.0/instances/{name}/vnc", .project(.viewer), action: "instance.vnc", auditSessions: true) { _, context, scope in
            // Refuse before the session starts (not running, no display), so the client learns why.
            _ = try await manager.supervisor(context.parameters.require("name"), in: scope.project).vncSocket()
        } session: { inbound, outbound, context, scope in
            let name = try context.requestContext.parameters.require("name")
            guard let socket = try? await manager.supervisor(name, in: scope.project).vncSocket() else { return }
            let filter = RFBClientFilter(mayType: scope.identity.role >= .operator)
            try await VNCProxy.run(socket: socket, filter: filter, inbound: inbound, outbound: outbound)
        }
    }
}

/// Copies one WebSocket to and from QEMU's VNC socket: the server's bytes go out as binary frames
/// as they arrive; the client's binary frames pass through the filter. Text frames carry no RFB
/// and are ignored. Whichever side ends first ends the session.
enum VNCProxy {
    static func run(
        socket: String, filter: RFBClientFilter, inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter
    ) async throws {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(unixDomainSocketPath: socket) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        try await channel.executeThenClose { fromServer, toServer in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for try await buffer in fromServer {
                        try await outbound.write(.binary(buffer))
                    }
                }
                group.addTask {
                    do {
                        try await forward(inbound, through: filter, to: toServer)
                    } catch let failure as RFBClientFilter.Failure {
                        try await outbound.close(.policyViolation, reason: Self.reason(failure))
                    }
                }
                _ = try await group.next()
                group.cancelAll()
            }
        }
    }

    private static func forward(
        _ inbound: WebSocketInboundStream, through filter: RFBClientFilter, to server: NIOAsyncChannelOutboundWriter<ByteBuffer>
    ) async throws {
        var filter = filter
        // A continuation frame belongs to the message its first frame started.
        var inBinaryMessage = false
        for try await frame in inbound {
            switch frame.opcode {
            case .binary: inBinaryMessage = true
            case .text: inBinaryMessage = false
            default: break
            }
            guard inBinaryMessage else { continue }
            let bytes = try filter.filter(frame.data.readableBytesView)
            if !bytes.isEmpty { try await server.write(ByteBuffer(bytes: bytes)) }
        }
    }

    /// The close frame's reason (at most 123 bytes).
    static func reason(_ failure: RFBClientFilter.Failure) -> String {
        switch failure {
        case .unsupportedVersion(let version): "unsupported RFB version '\(version.filter { $0.isASCII && !$0.isNewline }.prefix(11))'"
        case .unsupportedSecurityType(let type): "unsupported RFB security type \(type) (only None)"
        case .unknownMessage(let type, nil): "unsupported RFB client message type \(type)"
        case .unknownMessage(let type, let subtype?): "unsupported RFB client message type \(type), subtype \(subtype)"
        }
    }
}
