import Foundation
import JoistAPI

/// An audit entry before it is recorded: everything but the id, which the log assigns.
///
/// The fields mean what they mean on `AuditEntry`.
public struct AuditDraft: Sendable, Equatable {
    public var at: Date
    public var actor: String
    public var role: String
    public var project: String?
    public var action: String
    public var target: String?
    public var method: String
    public var path: String
    public var status: Int
    public var outcome: AuditEntry.Outcome
    public var error: String?

    public init(
        at: Date = Date(), actor: String, role: String, project: String?, action: String, target: String?,
        method: String, path: String, status: Int, outcome: AuditEntry.Outcome, error: String? = nil
    ) {
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

    /// The entry this draft becomes under `id`.
    func entry(id: Int64) -> AuditEntry {
        AuditEntry(
            id: id, at: at, actor: actor, role: role, project: project, action: action, target: target,
            method: method, path: path, status: status, outcome: outcome, error: error)
    }
}
