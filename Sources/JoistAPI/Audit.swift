import Foundation

/// One recorded change: who did what, when, and how it ended.
public struct AuditEntry: Codable, Sendable, Equatable {
    public enum Outcome: String, Codable, Sendable, CaseIterable { case succeeded, failed, denied }

    /// Increasing; listings page with `after=ID`. The audit log assigns it when it records the
    /// entry (0 until then).
    public var id: Int64
    public var at: Date
    /// The token name, or `local` for the Unix socket.
    public var actor: String
    /// The actor's role at the time: admin, operator or viewer.
    public var role: String
    /// The project the change was in; nil for global resources.
    public var project: String?
    /// What was done, e.g. `instance.create`, `token.revoke`.
    public var action: String
    /// The resource's name, when the action is about one.
    public var target: String?
    public var method: String
    public var path: String
    /// The HTTP status answered.
    public var status: Int
    public var outcome: Outcome
    /// The error message when it failed or was denied.
    public var error: String?

    public init(
        id: Int64 = 0, at: Date = Date(), actor: String, role: String, project: String?, action: String, target: String?,
        method: String, path: String, status: Int, outcome: Outcome, error: String? = nil
    ) {
        self.id = id
        self.at = at
        self.actor = actor
        self.role = role
        self.project = project
        self.action = action
        self.target = target
        self.method = method
        self.path = path
        self.status = status
        self.outcome = outcome
        self.error = error
    }
}
