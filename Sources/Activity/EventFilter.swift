import JoistAPI

/// Which events a subscriber wants: some kinds, in some projects or in all of them.
public struct EventFilter: Sendable, Equatable {
    /// The kinds to deliver; an empty set delivers nothing.
    public var types: Set<Event.Kind>
    /// The projects to follow; nil follows every project and also global events (tokens, projects).
    public var projects: Set<String>?

    public init(types: Set<Event.Kind> = Set(Event.Kind.allCases), projects: Set<String>? = nil) {
        self.types = types
        self.projects = projects
    }

    /// Every event of every kind, as an unrestricted admin sees them.
    public static var all: EventFilter { EventFilter() }

    /// Whether `event` passes. Events without a project are global, so only unscoped subscribers get
    /// them: a subscriber restricted to projects must never see other tenants' tokens or projects.
    public func matches(_ event: Event) -> Bool {
        guard types.contains(event.type) else { return false }
        guard let projects else { return true }
        guard let project = event.project else { return false }
        return projects.contains(project)
    }
}
