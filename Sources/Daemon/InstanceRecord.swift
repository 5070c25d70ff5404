public import Backup
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
    public var project: String
    public var createdAt: Date
    public var runtime: Runtime?
    public var lastExit: ExitRecord?
    /// Volumes made for this instance (the root volume of a launch): deleted with it while it still
    /// has them as disks. Detaching one first keeps it.
    public var ownedVolumes: [VolumeReference]?
    /// The instance's snapshots, oldest first (`nil`: none).
    public var snapshots: [SnapshotRecord]?
    /// The snapshot last taken or restored: the parent of the next one.
    public var currentSnapshot: String?
    public var snapshotSchedule: SnapshotSchedule?
    /// Backups into a store every interval, each followed by a prune (see `BackupScheduler`).
    public var backupSchedule: BackupSchedule?

    public init(
        spec: InstanceSpec, project: String = Project.defaultName, createdAt: Date, runtime: Runtime? = nil,
        lastExit: ExitRecord? = nil, ownedVolumes: [VolumeReference]? = nil
    ) {
        self.spec = spec
        self.project = project
        self.createdAt = createdAt
        self.runtime = runtime
        self.lastExit = lastExit
        self.ownedVolumes = ownedVolumes
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        spec = try container.decode(InstanceSpec.self, forKey: .spec)
        // Records written before projects existed belong to `default`.
        project = try container.decodeIfPresent(String.self, forKey: .project) ?? Project.defaultName
        createdAt = try container.decode(Date.self, forKey: .createdAt)
        runtime = try container.decodeIfPresent(Runtime.self, forKey: .runtime)
        lastExit = try container.decodeIfPresent(ExitRecord.self, forKey: .lastExit)
        ownedVolumes = try container.decodeIfPresent([VolumeReference].self, forKey: .ownedVolumes)
        snapshots = try container.decodeIfPresent([SnapshotRecord].self, forKey: .snapshots)
        currentSnapshot = try container.decodeIfPresent(String.self, forKey: .currentSnapshot)
        snapshotSchedule = try container.decodeIfPresent(SnapshotSchedule.self, forKey: .snapshotSchedule)
        backupSchedule = try container.decodeIfPresent(BackupSchedule.self, forKey: .backupSchedule)
    }

    /// The store key of an instance; every resource lives under its project.
    public static func key(_ name: String, project: String = Project.defaultName) -> String {
        "/projects/\(project)/instances/\(name)"
    }

    public static func prefix(project: String = Project.defaultName) -> String { "/projects/\(project)/instances/" }

    /// Every project's resources live under this prefix.
    static let rootPrefix = "/projects/"

    /// Whether a key under `rootPrefix` is an instance record (`/projects/P/instances/N`).
    static func isInstanceKey(_ key: String) -> Bool {
        let parts = key.split(separator: "/", omittingEmptySubsequences: false)
        return parts.count == 5 && parts[1] == "projects" && parts[3] == "instances"
    }
}
