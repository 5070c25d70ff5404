import Daemon
import Foundation
import Hummingbird
import HummingbirdWebSocket
import JoistCore
import NIOCore

/// `GET /1.0/instances/{name}/console`: the serial console as a WebSocket of raw bytes, both ways.
struct ConsoleRoutes<Context: WebSocketRequestContext & RequestContext> {
    let manager: InstanceManager

    func register(on router: Router<Context>) {
        router.ws("/1.0/instances/{name}/console") { _, context in
            // Refuse before upgrading, so the client gets a JSON error with a proper status.
            _ = try await manager.supervisor(context.parameters.require("name")).consoleHub()
            return .upgrade([:])
        } onUpgrade: { inbound, outbound, context in
            let name = try context.requestContext.parameters.require("name")
            guard let hub = try? await manager.supervisor(name).consoleHub() else { return }
            let (id, output) = hub.subscribe()
            defer { hub.unsubscribe(id) }
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await bytes in output {
                        try await outbound.write(.binary(ByteBuffer(bytes: bytes)))
                    }
                }
                group.addTask {
                    for try await frame in inbound where frame.opcode == .binary || frame.opcode == .text {
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
