import Foundation
public import Networking

/// What a token may do. Every route names the least role it needs.
public enum Role: String, Codable, Sendable, CaseIterable, Comparable {
    /// Read everything in its projects.
    case viewer
    /// Viewer, plus manage instances, volumes and snapshots in its projects.
    case `operator`
    /// Everything; without a project, also tokens, projects and the audit log.
    case admin

    private var rank: Int {
        switch self {
        case .viewer: 0
        case .operator: 1
        case .admin: 2
        }
    }

    public static func < (a: Role, b: Role) -> Bool { a.rank < b.rank }
}

/// A bearer token as the API shows it; the secret is never shown again after creation.
public struct Token: Codable, Sendable, Equatable {
    /// Public identifier, the part of the secret before the dot.
    public var id: String
    public var name: String
    public var role: Role
    /// The one project it may act in; nil for every project.
    public var project: String?
    public var createdAt: Date
    public var expiresAt: Date?
    /// Who created it (a token name, or `local`).
    public var createdBy: String

    public init(id: String, name: String, role: Role, project: String?, createdAt: Date, expiresAt: Date?, createdBy: String) {
        self.id = id
        self.name = name
        self.role = role
        self.project = project
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.createdBy = createdBy
    }
}

/// `POST /1.0/tokens`.
public struct TokenCreate: Codable, Sendable, Equatable {
    public var name: String
    public var role: Role
    public var project: String?
    /// Lifetime such as `30d`, `12h`, `90m`; nil for no expiry.
    public var expires: String?

    public init(name: String, role: Role, project: String? = nil, expires: String? = nil) {
        self.name = name
        self.role = role
        self.project = project
        self.expires = expires
    }
}

/// The answer to `POST /1.0/tokens`: the only time the secret is shown.
public struct TokenCreated: Codable, Sendable, Equatable {
    public var token: Token
    /// `joist_<id>.<secret>`: send as `Authorization: Bearer <secret>`.
    public var secret: String

    public init(token: Token, secret: String) {
        self.token = token
        self.secret = secret
    }
}

/// `GET /1.0`: the server, and who the caller is.
public struct ServerInfo: Codable, Sendable, Equatable {
    public var apiVersion: String
    public var version: String
    /// The caller: a token name or `local`.
    public var identity: String
    public var role: Role
    public var project: String?
    /// The kernel features networks may need, and whether this host has each.
    public var networkFeatures: HostNetworkFeatures?

    public init(
        apiVersion: String, version: String, identity: String, role: Role, project: String?,
        networkFeatures: HostNetworkFeatures? = nil
    ) {
        self.apiVersion = apiVersion
        self.version = version
        self.identity = identity
        self.role = role
        self.project = project
        self.networkFeatures = networkFeatures
    }
}
