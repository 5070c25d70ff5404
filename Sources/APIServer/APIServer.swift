import Activity
import Daemon
import Foundation
import Hummingbird
import HummingbirdTLS
import HummingbirdWebSocket
import Logging
import NIOSSL

/// Builds the HTTP applications that serve the REST API: the Unix socket for local administration and,
/// when asked, TCP with TLS and tokens. Both serve the same routes behind the same checks.
public enum APIServer {
    /// The product version reported by `GET /1.0`.
    public static let version = "0.2.0"
    /// The largest request body accepted.
    public static let maxBodySize = 1 << 20
    /// The largest WebSocket frame accepted: room for a pasted clipboard in a VNC session (the
    /// library's default, 16 KiB, closed the session on a longer paste).
    static let maxWebSocketFrameSize = 1 << 20
    /// The WebSocket settings of both listeners.
    static let webSocketConfiguration = HTTP1WebSocketUpgradeChannel.Configuration(ws: .init(maxFrameSize: maxWebSocketFrameSize))

    /// The API on a Unix socket: every caller is the local administrator.
    static func unixApplication(
        _ services: APIServices, socketPath: String, logger: Logger, onServerRunning: @escaping @Sendable () async -> Void = {}
    ) -> some ApplicationProtocol {
        let router = makeRouter(services, authenticator: .local).router
        return Application(
            router: router,
            server: .http1WebSocketUpgrade(webSocketRouter: router, configuration: webSocketConfiguration),
            configuration: .init(address: .unixDomainSocket(path: socketPath), serverName: "joistd"),
            onServerRunning: { _ in await onServerRunning() },
            logger: logger)
    }

    /// The API on TCP with TLS: every route but the health check needs a bearer token.
    static func tlsApplication(
        _ services: APIServices, host: String, port: Int, tls: TLSConfiguration, logger: Logger,
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) throws -> some ApplicationProtocol {
        let authenticator = Authenticator.tokens(services.tokens, AuthThrottle())
        let router = makeRouter(services, authenticator: authenticator).router
        return Application(
            router: router,
            server: try .tls(.http1WebSocketUpgrade(webSocketRouter: router, configuration: webSocketConfiguration), tlsConfiguration: tls),
            configuration: .init(address: .hostname(host, port: port), serverName: "joistd"),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? port) },
            logger: logger)
    }

    /// The router with every route, and the table of their methods, paths and access rules (which the
    /// spec and role tests read).
    static func makeRouter(_ services: APIServices, authenticator: Authenticator) -> RouteTable {
        let router = Router(context: JoistRequestContext.self)
        let index = RouteIndex()
        router.add(middleware: ErrorMiddleware(routes: index))
        var table = RouteTable(router: router, services: services, authenticator: authenticator)
        ServerRoutes.register(on: &table)
        InstanceRoutes.register(on: &table)
        InstanceDiskRoutes.register(on: &table)
        InstanceNICRoutes.register(on: &table)
        InstanceSnapshotRoutes.register(on: &table)
        InstanceBackupRoutes.register(on: &table)
        InstanceBackupPruneRoutes.register(on: &table)
        InstancePublishRoutes.register(on: &table)
        InstanceGuestRoutes.register(on: &table)
        MetricsRoutes.register(on: &table)
        ConsoleRoutes.register(on: &table)
        VNCRoutes.register(on: &table)
        OperationRoutes.register(on: &table)
        EventRoutes.register(on: &table)
        ProjectRoutes.register(on: &table)
        StoragePoolRoutes.register(on: &table)
        StorageVolumeRoutes.register(on: &table)
        BackupStoreRoutes.register(on: &table)
        BackupStoreContentRoutes.register(on: &table)
        NetworkRoutes.register(on: &table)
        FirewallRoutes.register(on: &table)
        NetworkForwardRoutes.register(on: &table)
        ImageRoutes.register(on: &table)
        VolumeTransferRoutes.register(on: &table)
        TokenRoutes.register(on: &table)
        AuditRoutes.register(on: &table)
        for route in table.routes { index.add(route) }
        UIRoutes.register(on: router, assets: .fromEnvironment(), vendor: .locate())
        return table
    }
}
