import Daemon
import Foundation
import Hummingbird
import HummingbirdWebSocket
import JoistAPI
import JoistCore
import NIOCore

/// `GET /1.0/instances/{name}/console`: the serial console as a WebSocket of raw bytes, both ways.
/// Viewers watch; operators (and admins) may also type.
enum ConsoleRoutes {
    static func register(on table: inout RouteTable) {
        let manager = table.services.instances
        table.webSocket("/1.0/instances/{name}/console", .project(.viewer), action: "instance.console", auditSessions: true) { _, context, scope in
            // Refuse before the session starts, so the client learns why (see `WebSocketRefusal`).
            _ = try await manager.supervisor(context.parameters.require("name"), in: scope.project).consoleHub()
        } session: { inbound, outbound, context, scope in
            let name = try context.requestContext.parameters.require("name")
            guard let hub = try? await manager.supervisor(name, in: scope.project).consoleHub() else { return }
            let mayType = scope.identity.role >= .operator
            let (id, output) = hub.subscribe()
            defer { hub.unsubscribe(id) }
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await bytes in output {
                        try await outbound.write(.binary(ByteBuffer(bytes: bytes)))
                    }
                }
                group.addTask {
                    for try await frame in inbound where mayType && (frame.opcode == .binary || frame.opcode == .text) {
                        try await hub.send(Array(frame.data.readableBytesView))
                    }
                }
                // Whichever side ends first (guest gone, or client detached) ends the session.
                _ = try await group.next()
                group.cancelAll()
            }
        }
    }
}
