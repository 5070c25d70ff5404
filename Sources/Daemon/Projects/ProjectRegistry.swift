import Foundation
public import JoistAPI
import JoistCore
import Store

/// The projects, their limits, and what each holds; the one place quotas are decided.
///
/// Usage is kept in memory and changed only through `reserve` and `release`, which run on this actor
/// without suspending between the check and the update: twenty concurrent creates against a limit of
/// five reserve exactly five. Callers release what they reserved when a later step fails.
public actor ProjectRegistry {
    private struct Entry {
        var project: Project
        var revision: Int64
        var usage = ProjectUsage()
    }

    private let store: any Store
    private var entries: [String: Entry] = [:]

    public init(store: any Store) {
        self.store = store
    }

    static let prefix = "/meta/projects/"
    static func key(_ name: String) -> String { prefix + name }

    /// Loads every project and creates `default` on first start.
    public func load() async throws {
        let (items, _) = try await store.range(prefix: Self.prefix)
        let decoder = APICoding.decoder()
        for item in items {
            let project = try decoder.decode(Project.self, from: item.value)
            entries[project.name] = Entry(project: project, revision: item.modRevision)
        }
        if entries[Project.defaultName] == nil {
            _ = try await create(ProjectCreate(name: Project.defaultName, description: "The default project"))
        }
    }

    public func exists(_ name: String) -> Bool { entries[name] != nil }

    /// Throws `notFound` unless the project exists.
    public func require(_ name: String) throws -> Project {
        guard let entry = entries[name] else { throw JoistError.notFound("project \(name) not found") }
        return entry.project
    }

    public func info(_ name: String) throws -> ProjectInfo {
        guard let entry = entries[name] else { throw JoistError.notFound("project \(name) not found") }
        return ProjectInfo(project: entry.project, usage: entry.usage)
    }

    /// Projects sorted by name, restricted to `only` when given.
    public func list(only: String? = nil) -> [ProjectInfo] {
        entries.keys.sorted().compactMap { name in
            guard only == nil || only == name, let entry = entries[name] else { return nil }
            return ProjectInfo(project: entry.project, usage: entry.usage)
        }
    }

    public func create(_ request: ProjectCreate) async throws -> ProjectInfo {
        try ResourceName.validate(request.name, kind: "project")
        let limits = request.limits ?? ProjectLimits()
        try limits.validate()
        guard entries[request.name] == nil else { throw JoistError.alreadyExists("project \(request.name) already exists") }
        let project = Project(name: request.name, description: request.description ?? "", limits: limits, createdAt: Date())
        // Claim the name before suspending, so a concurrent create of the same name is refused.
        entries[request.name] = Entry(project: project, revision: 0)
        do {
            let revision = try await store.put(Self.key(project.name), try APICoding.encoder().encode(project), expect: .absent)
            entries[request.name]?.revision = revision
        } catch {
            entries.removeValue(forKey: request.name)
            if case StoreError.conflict = error { throw JoistError.alreadyExists("project \(request.name) already exists") }
            throw error
        }
        return ProjectInfo(project: project, usage: ProjectUsage())
    }

    /// Changes the description and limits; `check` sees the current project first (for `If-Match`).
    public func update(
        _ name: String, _ update: ProjectUpdate, check: @Sendable (Project) throws -> Void = { _ in }
    ) async throws -> ProjectInfo {
        guard var entry = entries[name] else { throw JoistError.notFound("project \(name) not found") }
        let current = entry.project
        if let description = update.description { entry.project.description = description }
        if let limits = update.limits {
            if let value = limits.instances { entry.project.limits.instances = value }
            if let value = limits.cpus { entry.project.limits.cpus = value }
            if let value = limits.memory { entry.project.limits.memory = value }
            if let value = limits.disk { entry.project.limits.disk = value }
            if let value = limits.networks { entry.project.limits.networks = value }
        }
        if let unset = update.unset {
            entry.project.limits = try entry.project.limits.applying(unset.map { ($0, "none") })
        }
        try entry.project.limits.validate()
        // A malformed request is refused as such (400) before its revision is compared (412).
        try check(current)
        let revision: Int64
        do {
            revision = try await store.put(
                Self.key(name), try APICoding.encoder().encode(entry.project), expect: .modRevision(entry.revision))
        } catch StoreError.conflict {
            // Another update (or a delete) of this project landed while this one was being written.
            throw JoistError.invalidState("project \(name) changed while this update was applied; read it again and retry")
        }
        entry.revision = revision
        entry.usage = entries[name]?.usage ?? entry.usage
        entries[name] = entry
        return ProjectInfo(project: entry.project, usage: entry.usage)
    }

    /// Deletes an empty project; `default` is never deleted.
    public func delete(_ name: String) async throws {
        guard name != Project.defaultName else { throw JoistError.invalidState("the default project cannot be deleted") }
        guard let entry = entries[name] else { throw JoistError.notFound("project \(name) not found") }
        guard entry.usage.isEmpty else {
            let held = [
                entry.usage.instances > 0 ? "\(entry.usage.instances) instance(s)" : nil,
                entry.usage.disk.bytes > 0 ? "volumes of \(entry.usage.disk)" : nil,
                entry.usage.networks > 0 ? "\(entry.usage.networks) network(s)" : nil,
            ].compactMap { $0 }
            throw JoistError.invalidState("project \(name) still holds \(held.joined(separator: " and ")); delete them first")
        }
        entries.removeValue(forKey: name)
        do {
            try await store.delete(Self.key(name), expect: .any)
        } catch {
            entries[name] = entry
            throw error
        }
    }

    /// Counts `delta` against the project's limits and keeps it, or throws `quotaExceeded` and keeps nothing.
    public func reserve(_ delta: ResourceDelta, in name: String) throws {
        guard var entry = entries[name] else { throw JoistError.notFound("project \(name) not found") }
        let usage = entry.usage.applying(delta)
        if let violation = entry.project.limits.violation(of: usage, growing: delta) {
            throw JoistError.quotaExceeded("project \(name) would exceed its limit (\(violation))")
        }
        entry.usage = usage
        entries[name] = entry
    }

    /// Returns what `reserve` took (or what a deleted resource held).
    public func release(_ delta: ResourceDelta, in name: String) {
        guard let usage = entries[name]?.usage else { return }
        entries[name]?.usage = usage.applying(-delta)
    }

    /// Counts resources found at startup, whatever the limits say now.
    public func adopt(_ delta: ResourceDelta, in name: String) {
        guard let usage = entries[name]?.usage else { return }
        entries[name]?.usage = usage.applying(delta)
    }
}
