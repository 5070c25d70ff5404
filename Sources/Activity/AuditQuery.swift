import Foundation
import JoistAPI

/// Which audit entries to list: every set field must match; entries come oldest first.
public struct AuditQuery: Sendable, Equatable {
    /// Exactly this project; global entries (no project) never match a set project.
    public var project: String?
    public var actor: String?
    public var action: String?
    public var outcome: AuditEntry.Outcome?
    /// Entries at or after this moment.
    public var since: Date?
    /// Entries before this moment.
    public var until: Date?
    /// Entries with a greater id: the `next` cursor of the previous page.
    public var after: Int64?
    /// At most this many entries.
    public var limit: Int

    public init(
        project: String? = nil, actor: String? = nil, action: String? = nil, outcome: AuditEntry.Outcome? = nil,
        since: Date? = nil, until: Date? = nil, after: Int64? = nil, limit: Int = Page<AuditEntry>.defaultLimit
    ) {
        self.project = project
        self.actor = actor
        self.action = action
        self.outcome = outcome
        self.since = since
        self.until = until
        self.after = after
        self.limit = limit
    }
}
