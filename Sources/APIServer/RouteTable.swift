import Activity
import Daemon
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdWebSocket
import JoistAPI
import JoistCore

/// Registers routes with their access rules, so every handler runs behind the same checks:
/// authenticate, authorize role and project, run, and record changes in the audit log.
struct RouteTable {
    typealias Handler = @Sendable (Request, JoistRequestContext, RequestScope) async throws -> Response

    let router: Router<JoistRequestContext>
    let services: APIServices
    let authenticator: Authenticator
    private(set) var routes: [RouteSpec] = []

    init(router: Router<JoistRequestContext>, services: APIServices, authenticator: Authenticator) {
        self.router = router
        self.services = services
        self.authenticator = authenticator
    }

    /// Adds a route. Reads are not audited unless `auditReads` says so (reads that hand out what a
    /// guest holds); everything else is, once it has an outcome (routes that answer 202 are audited
    /// by their operation when it ends).
    mutating func add(
        _ method: HTTPRequest.Method, _ path: String, _ access: Access, action: String, auditReads: Bool = false,
        handler: @escaping Handler
    ) {
        var route = RouteSpec(method: method, path: path, access: access, action: action)
        route.audited = method != .get || auditReads
        routes.append(route)
        let guardian = RouteGuard(route: route, services: services, authenticator: authenticator)
        router.on(RouterPath(path), method: method) { request, context in
            try await guardian.run(request, context, handler)
        }
    }

    /// Adds a WebSocket route. The checks and `authorize` run before the upgrade: a plain GET they
    /// refuse gets the ordinary JSON error; a refused upgrade is accepted and closed at once with the
    /// error (see `WebSocketRefusal`). With `auditSessions`, each session's opening, or its refusal,
    /// goes in the audit log (sessions that show or drive a guest).
    mutating func webSocket(
        _ path: String, _ access: Access, action: String, auditSessions: Bool = false,
        authorize: @escaping @Sendable (Request, JoistRequestContext, RequestScope) async throws -> Void,
        session: @escaping @Sendable (WebSocketInboundStream, WebSocketOutboundWriter, WebSocketRouterContext<JoistRequestContext>, RequestScope) async throws -> Void
    ) {
        var route = RouteSpec(method: .get, path: path, access: access, action: action)
        route.isWebSocket = true
        route.audited = auditSessions
        routes.append(route)
        let guardian = RouteGuard(route: route, services: services, authenticator: authenticator)
        router.ws(RouterPath(path)) { request, context in
            var identity: Identity?
            do {
                let scope = try await guardian.authorize(request, context) { identity = $0 }
                try await authorize(request, context, scope)
                if auditSessions { guardian.record(request, context, identity: identity, status: 101, error: nil) }
                context.upgrade.outcome = .success(scope)
            } catch {
                if auditSessions {
                    let (status, body) = APIErrorMapping.describe(error)
                    guardian.record(request, context, identity: identity, status: status.code, error: body.error)
                }
                guard WebSocketRefusal.isUpgrade(request.headers) else { throw error }
                context.upgrade.outcome = .failure(error)
            }
            return .upgrade(BrowserWebSocketAuth.acceptedProtocol(offeredIn: request.headers).map { [.secWebSocketProtocol: $0] } ?? [:])
        } onUpgrade: { inbound, outbound, context in
            switch context.requestContext.upgrade.outcome {
            case .success(let scope):
                try await session(inbound, outbound, context, scope)
            case .failure(let error):
                let (status, body) = APIErrorMapping.describe(error)
                try await outbound.close(.unknown(WebSocketRefusal.closeCode(for: status)), reason: WebSocketRefusal.reason(body.error.message))
            case nil:
                return
            }
        }
    }
}

/// The checks in front of one route.
struct RouteGuard: Sendable {
    let route: RouteSpec
    let services: APIServices
    let authenticator: Authenticator

    func run(_ request: Request, _ context: JoistRequestContext, _ handler: RouteTable.Handler) async throws -> Response {
        let audited = route.audited
        var identity: Identity?
        do {
            let authorized = try await authorize(request, context) { identity = $0 }
            let response = try await handler(request, context, authorized)
            if audited && response.status != .accepted {
                record(request, context, identity: identity, status: response.status.code, error: nil)
            }
            return response
        } catch {
            if audited {
                let (status, body) = APIErrorMapping.describe(error)
                record(request, context, identity: identity, status: status.code, error: body.error)
            }
            throw error
        }
    }

    /// Authenticates the caller and checks the route's role and project rules.
    /// `authenticated` learns the caller as soon as the token is checked, so refusals are audited by name.
    func authorize(
        _ request: Request, _ context: JoistRequestContext, authenticated: (Identity) -> Void = { _ in }
    ) async throws -> RequestScope {
        var scope = try await scope(of: request, context, authenticated: authenticated)
        scope.viaUnixSocket = authenticator.isUnixSocket
        return scope
    }

    private func scope(
        of request: Request, _ context: JoistRequestContext, authenticated: (Identity) -> Void
    ) async throws -> RequestScope {
        guard route.access.scope != .open else {
            return RequestScope(identity: Identity(name: "anonymous", role: .viewer, project: nil), project: Project.defaultName)
        }
        let identity = try authenticator.identify(request, remoteAddress: context.remoteAddress)
        authenticated(identity)
        guard identity.role >= route.access.role else {
            throw JoistError.forbidden("\(identity.name) has role \(identity.role.rawValue); \(route.action) needs \(route.access.role.rawValue)")
        }
        switch route.access.scope {
        case .open, .any:
            // The route finds its resource's project itself; a malformed `project` is still refused.
            if let asked = request.uri.queryParameters.get("project") { try ResourceName.validate(String(asked), kind: "project") }
            return RequestScope(identity: identity, project: identity.project ?? Project.defaultName)
        case .global:
            guard identity.isGlobal else {
                throw JoistError.forbidden("\(identity.name) is limited to project \(identity.project ?? ""); \(route.action) needs a token for every project")
            }
            return RequestScope(identity: identity, project: Project.defaultName)
        case .project, .projectPath:
            let project: String
            if route.access.scope == .projectPath {
                project = try context.parameters.require("name")
            } else {
                project = request.uri.queryParameters.get("project") ?? identity.project ?? Project.defaultName
            }
            try ResourceName.validate(project, kind: "project")
            guard identity.canSee(project: project) else {
                throw JoistError.forbidden("\(identity.name) is limited to project \(identity.project ?? "")")
            }
            _ = try await services.projects.require(project)
            return RequestScope(identity: identity, project: project)
        }
    }

    /// Writes the audit entry; a failing audit log is logged, never turned into a failed request.
    func record(_ request: Request, _ context: JoistRequestContext, identity: Identity?, status: Int, error: ErrorResponse.Body?) {
        let denied: Set<String> = [JoistError.Code.unauthenticated.rawValue, JoistError.Code.forbidden.rawValue, JoistError.Code.rateLimited.rawValue]
        let outcome: AuditEntry.Outcome = error == nil ? .succeeded : denied.contains(error!.code) ? .denied : .failed
        let target = context.auditNote.target ?? context.parameters.get("name") ?? context.parameters.get("id")
        // The project asked for (or the caller's own); global resources have none.
        let asked: String? =
            route.access.scope == .global ? nil
            : route.access.scope == .projectPath ? context.parameters.get("name")
            : request.uri.queryParameters.get("project").map { String($0) } ?? identity?.project ?? Project.defaultName
        // A malformed project name is not a project: the entry records none.
        let project = asked.flatMap { (try? ResourceName.validate($0, kind: "project")) }
        do {
            _ = try services.audit.record(
                AuditEntry(
                    actor: identity?.name ?? "anonymous", role: identity?.role.rawValue ?? "none", project: project,
                    action: route.action, target: target, method: request.method.rawValue, path: request.uri.path,
                    status: status, outcome: outcome, error: error?.message))
        } catch {
            services.logger.error("cannot write the audit log: \(error)")
        }
    }
}
