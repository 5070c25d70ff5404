import Daemon
import HTTPTypes
import JoistAPI

/// Who may call a route: the least role, and which projects that role must cover.
struct Access: Sendable, Hashable {
    enum Scope: Sendable, Hashable {
        /// No authentication at all (the health check).
        case open
        /// Any authenticated caller; the handler filters what it shows by the caller's project.
        case any
        /// A project-scoped resource: the project comes from `?project=` (or the token's own project).
        case project
        /// A project named by the `{name}` path parameter.
        case projectPath
        /// A global resource (tokens, project management): tokens bound to a project are refused.
        case global
    }

    var role: Role
    var scope: Scope

    static let open = Access(role: .viewer, scope: .open)
    static func any(_ role: Role) -> Access { Access(role: role, scope: .any) }
    static func project(_ role: Role) -> Access { Access(role: role, scope: .project) }
    static func projectPath(_ role: Role) -> Access { Access(role: role, scope: .projectPath) }
    static func global(_ role: Role) -> Access { Access(role: role, scope: .global) }
}

/// One registered route, as the spec test and the role matrix test see it.
struct RouteSpec: Sendable, Hashable, CustomStringConvertible {
    var method: HTTPRequest.Method
    /// The path template, e.g. `/1.0/instances/{name}`.
    var path: String
    var access: Access
    /// The audit and operation name, e.g. `instance.create`.
    var action: String
    var isWebSocket = false
    /// Whether calls go in the audit log: every change, and the reads and sessions that hand out or
    /// drive what a guest holds (file pulls, consoles).
    var audited = false

    var description: String { "\(method) \(path)" }
}

/// What a handler knows about the request beyond HTTP: who asks, and in which project.
struct RequestScope: Sendable {
    /// Nil only on open routes.
    var identity: Identity
    /// The project the request acts in (for `.project` and `.projectPath` routes; else the caller's
    /// own project or `default`).
    var project: String
    /// Whether the request came through joistd's Unix socket: the caller is root on this host, so may
    /// name host files (see `requireHostFileAccess`). Set by the listener, never inferred from names.
    var viaUnixSocket = false
}
