public import Activity
public import Daemon
import Foundation
public import Hummingbird
import HummingbirdTLS
import HummingbirdWebSocket
public import Logging
import NIOSSL

/// Builds the HTTP applications that serve the REST API: the Unix socket for local administration and,
/// when asked, TCP with TLS and tokens. Both serve the same routes behind the same checks.
public enum APIServer {
    /// The product version reported by `GET /1.0`.
    public static let version = "0.2.0"
    /// The largest request body accepted.
    public static let maxBodySize = 1 << 20

    /// The daemon's services, as the routes see them.
    public struct Services: Sendable {
        let value: APIServices

        public init(
            instances: InstanceManager, tokens: TokenAuthority, operations: OperationManager, events: EventBus,
            audit: AuditLog, logger: Logger
        ) {
            value = APIServices(
                instances: instances, projects: instances.projects, tokens: tokens, operations: operations,
                events: events, audit: audit, logger: logger)
        }
    }

    /// The API on a Unix socket: every caller is the local administrator.
    public static func unixApplication(
        _ services: Services, socketPath: String, logger: Logger, onServerRunning: @escaping @Sendable () async -> Void = {}
    ) -> some ApplicationProtocol {
        let router = makeRouter(services.value, authenticator: .local).router
        return Application(
            router: router,
            server: .http1WebSocketUpgrade(webSocketRouter: router),
            configuration: .init(address: .unixDomainSocket(path: socketPath), serverName: "joistd"),
            onServerRunning: { _ in await onServerRunning() },
            logger: logger)
    }

    /// The API on TCP with TLS: every route but the health check needs a bearer token.
    public static func tlsApplication(
        _ services: Services, host: String, port: Int, tls: TLSConfiguration, logger: Logger,
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) throws -> some ApplicationProtocol {
        let authenticator = Authenticator.tokens(services.value.tokens, AuthThrottle())
        let router = makeRouter(services.value, authenticator: authenticator).router
        return Application(
            router: router,
            server: try .tls(.http1WebSocketUpgrade(webSocketRouter: router), tlsConfiguration: tls),
            configuration: .init(address: .hostname(host, port: port), serverName: "joistd"),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? port) },
            logger: logger)
    }

    /// Every route with its method, path and access rule (for the spec and role tests).
    static func makeRouter(_ services: APIServices, authenticator: Authenticator) -> RouteTable {
        let router = Router(context: JoistRequestContext.self)
        let index = RouteIndex()
        router.add(middleware: ErrorMiddleware(routes: index))
        var table = RouteTable(router: router, services: services, authenticator: authenticator)
        ServerRoutes.register(on: &table)
        InstanceRoutes.register(on: &table)
        ConsoleRoutes.register(on: &table)
        OperationRoutes.register(on: &table)
        EventRoutes.register(on: &table)
        ProjectRoutes.register(on: &table)
        TokenRoutes.register(on: &table)
        AuditRoutes.register(on: &table)
        for route in table.routes { index.add(route) }
        return table
    }
}
