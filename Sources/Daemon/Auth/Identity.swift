public import JoistAPI

/// Who is asking: a token's name, role and project, or the local administrator on the Unix socket.
public struct Identity: Sendable, Equatable {
    public var name: String
    public var role: Role
    /// The one project this identity may act in; nil for every project.
    public var project: String?

    public init(name: String, role: Role, project: String?) {
        self.name = name
        self.role = role
        self.project = project
    }

    /// Root on the Unix socket: an admin of everything.
    public static let local = Identity(name: "local", role: .admin, project: nil)

    /// Whether resources of `project` are visible to this identity at all.
    public func canSee(project: String) -> Bool { self.project == nil || self.project == project }

    /// Whether this identity may act on global resources (tokens, projects).
    public var isGlobal: Bool { project == nil }
}
