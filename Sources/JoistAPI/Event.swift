import Foundation

/// One entry of the event stream (`GET /1.0/events`, a WebSocket of JSON text frames).
///
/// Exactly one of `lifecycle`, `operation` and `audit` is set, matching `type`.
public struct Event: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case lifecycle, operation, audit
    }

    public var type: Kind
    public var timestamp: Date
    /// The project the event belongs to; nil for events about global resources (tokens, projects).
    public var project: String?
    public var lifecycle: LifecycleEvent?
    public var operation: Operation?
    public var audit: AuditEntry?

    public init(
        type: Kind, timestamp: Date, project: String?, lifecycle: LifecycleEvent? = nil,
        operation: Operation? = nil, audit: AuditEntry? = nil
    ) {
        self.type = type
        self.timestamp = timestamp
        self.project = project
        self.lifecycle = lifecycle
        self.operation = operation
        self.audit = audit
    }

    public static func lifecycle(_ event: LifecycleEvent, project: String, at date: Date = Date()) -> Event {
        Event(type: .lifecycle, timestamp: date, project: project, lifecycle: event)
    }

    public static func operation(_ operation: Operation, at date: Date = Date()) -> Event {
        Event(type: .operation, timestamp: date, project: operation.project, operation: operation)
    }

    public static func audit(_ entry: AuditEntry) -> Event {
        Event(type: .audit, timestamp: entry.at, project: entry.project, audit: entry)
    }
}

/// A change in a resource's life: created, state changed, updated, deleted.
public struct LifecycleEvent: Codable, Sendable, Equatable {
    /// E.g. `instance-created`, `instance-state-changed`, `instance-updated`, `instance-deleted`.
    public var action: String
    /// The API path of the resource, e.g. `/1.0/instances/web-1`.
    public var source: String
    /// The resource's name.
    public var name: String
    /// For state changes: the state before and after.
    public var previousState: String?
    public var state: String?
    /// Why, when known (e.g. "guest powered off").
    public var reason: String?

    public init(
        action: String, source: String, name: String, previousState: String? = nil, state: String? = nil,
        reason: String? = nil
    ) {
        self.action = action
        self.source = source
        self.name = name
        self.previousState = previousState
        self.state = state
        self.reason = reason
    }
}
