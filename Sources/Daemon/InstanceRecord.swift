import Foundation
public import JoistAPI
public import JoistCore

/// What the store keeps for one instance: its configuration and the facts that must outlive the daemon.
public struct InstanceRecord: Codable, Sendable, Equatable {
    /// Facts about a QEMU process the daemon launched, kept so a restarted daemon can re-attach.
    public struct Runtime: Codable, Sendable, Equatable {
        public var pid: Int32
        public var accelerator: Accelerator
        public var startedAt: Date
    }

    public var spec: InstanceSpec
    public var createdAt: Date
    public var runtime: Runtime?
    public var lastExit: ExitRecord?

    public init(spec: InstanceSpec, createdAt: Date, runtime: Runtime? = nil, lastExit: ExitRecord? = nil) {
        self.spec = spec
        self.createdAt = createdAt
        self.runtime = runtime
        self.lastExit = lastExit
    }

    /// The store key of an instance; every resource lives under its project.
    public static func key(_ name: String, project: String = "default") -> String {
        "/projects/\(project)/instances/\(name)"
    }

    public static func prefix(project: String = "default") -> String { "/projects/\(project)/instances/" }
}
