import Foundation
public import JoistCore

/// A tenant: instances (and later volumes and networks) live in exactly one project and are invisible
/// from the others. `default` always exists.
public struct Project: Codable, Sendable, Equatable {
    public var name: String
    public var description: String
    public var limits: ProjectLimits
    public var createdAt: Date

    public init(name: String, description: String = "", limits: ProjectLimits = ProjectLimits(), createdAt: Date) {
        self.name = name
        self.description = description
        self.limits = limits
        self.createdAt = createdAt
    }

    public static let defaultName = "default"
}

/// Upper bounds on what a project may hold; nil means unlimited.
public struct ProjectLimits: Codable, Sendable, Equatable {
    public var instances: Int?
    public var cpus: Int?
    public var memory: ByteSize?
    public var disk: ByteSize?
    public var networks: Int?

    public init(instances: Int? = nil, cpus: Int? = nil, memory: ByteSize? = nil, disk: ByteSize? = nil, networks: Int? = nil) {
        self.instances = instances
        self.cpus = cpus
        self.memory = memory
        self.disk = disk
        self.networks = networks
    }

    /// The limit names `--limit` and `limits.NAME=` accept.
    public static let names = ["instances", "cpus", "memory", "disk", "networks"]
}

/// What a project holds now, counted the same way as its limits.
public struct ProjectUsage: Codable, Sendable, Equatable {
    public var instances: Int
    public var cpus: Int
    public var memory: ByteSize
    public var disk: ByteSize
    public var networks: Int

    public init(instances: Int = 0, cpus: Int = 0, memory: ByteSize = ByteSize(bytes: 0), disk: ByteSize = ByteSize(bytes: 0), networks: Int = 0) {
        self.instances = instances
        self.cpus = cpus
        self.memory = memory
        self.disk = disk
        self.networks = networks
    }
}

/// `GET /1.0/projects/{name}`: the project with its current usage.
public struct ProjectInfo: Codable, Sendable, Equatable {
    public var project: Project
    public var usage: ProjectUsage

    public init(project: Project, usage: ProjectUsage) {
        self.project = project
        self.usage = usage
    }
}

/// `POST /1.0/projects`.
public struct ProjectCreate: Codable, Sendable, Equatable {
    public var name: String
    public var description: String?
    public var limits: ProjectLimits?

    public init(name: String, description: String? = nil, limits: ProjectLimits? = nil) {
        self.name = name
        self.description = description
        self.limits = limits
    }
}

/// `PATCH /1.0/projects/{name}`: fields to change; limits given replace the old limits one by one
/// (`"limits": {"cpus": null}` is not expressible, so `unset` names the limits to remove).
public struct ProjectUpdate: Codable, Sendable, Equatable {
    public var description: String?
    public var limits: ProjectLimits?
    public var unset: [String]?

    public init(description: String? = nil, limits: ProjectLimits? = nil, unset: [String]? = nil) {
        self.description = description
        self.limits = limits
        self.unset = unset
    }
}

extension ProjectLimits {
    /// Applies `name=value` settings such as `cpus=16`, `memory=32GiB`; `none` or empty removes a limit.
    public func applying(_ settings: [(key: String, value: String)]) throws(JoistError) -> ProjectLimits {
        var limits = self
        for (key, value) in settings {
            let unset = value.isEmpty || value == "none"
            switch key {
            case "instances": limits.instances = unset ? nil : try Self.count(key, value)
            case "cpus": limits.cpus = unset ? nil : try Self.count(key, value)
            case "networks": limits.networks = unset ? nil : try Self.count(key, value)
            case "memory": limits.memory = unset ? nil : try ByteSize(parsing: value)
            case "disk": limits.disk = unset ? nil : try ByteSize(parsing: value)
            default:
                throw .invalidArgument("unknown limit '\(key)'; limits are \(Self.names.joined(separator: ", "))")
            }
        }
        return limits
    }

    /// Checks every limit is a sensible number.
    public func validate() throws(JoistError) {
        for (name, value) in [("instances", instances), ("cpus", cpus), ("networks", networks)] {
            if let value, value < 0 { throw .invalidArgument("limit \(name) must not be negative") }
        }
    }

    private static func count(_ key: String, _ value: String) throws(JoistError) -> Int {
        guard let n = Int(value), n >= 0 else {
            throw .invalidArgument("limit \(key) must be a whole number ≥ 0, not '\(value)'")
        }
        return n
    }
}
