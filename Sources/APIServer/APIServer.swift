public import Daemon
import Foundation
public import Hummingbird
import HummingbirdWebSocket
public import Logging

/// Builds the HTTP application that serves the REST API on a Unix socket.
public enum APIServer {
    /// The product version reported by `GET /1.0`.
    public static let version = "0.1.0"

    public static func application(
        manager: InstanceManager, socketPath: String, logger: Logger,
        onServerRunning: @escaping @Sendable () async -> Void = {}
    ) -> some ApplicationProtocol {
        let router = Router(context: BasicWebSocketRequestContext.self)
        router.add(middleware: ErrorMiddleware())
        router.get("/1.0") { _, _ in
            JSONBody.response(["api_version": "1.0", "version": version])
        }
        InstanceRoutes(manager: manager).register(on: router)
        ConsoleRoutes(manager: manager).register(on: router)
        return Application(
            router: router,
            server: .http1WebSocketUpgrade(webSocketRouter: router),
            configuration: .init(address: .unixDomainSocket(path: socketPath), serverName: "joistd"),
            onServerRunning: { _ in await onServerRunning() },
            logger: logger)
    }
}
