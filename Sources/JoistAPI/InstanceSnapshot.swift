import Foundation
public import JoistCore

/// One snapshot of an instance as the API shows it: a point its disks (and, when stateful, its RAM
/// and device state) can be restored to.
public struct InstanceSnapshot: Codable, Sendable, Equatable {
    public var name: String
    /// Whether RAM and device state were saved too: restoring it resumes the guest at that moment.
    public var stateful: Bool
    /// The snapshot the instance was at when this one was taken (the last one taken or restored), if any.
    public var parent: String?
    public var createdAt: Date
    /// Whether the instance's schedule took it (such snapshots are pruned by the schedule's `keep`).
    public var scheduled: Bool
    /// Whether the instance's disks descend from this snapshot now: it was the last one taken or restored.
    public var current: Bool
    /// The disks it covers, with their sizes at the time.
    public var disks: [InstanceSnapshotDisk]
    /// Bytes of saved RAM and device state (stateful snapshots).
    public var vmStateSize: UInt64?
    /// Whether the guest's filesystems were frozen (through its guest agent) while a disk snapshot of
    /// the running guest was taken; absent for stateful snapshots (RAM and disks are consistent
    /// together) and for snapshots of a stopped guest.
    public var filesystemFreeze: FilesystemFreeze?

    public init(
        name: String, stateful: Bool, parent: String? = nil, createdAt: Date, scheduled: Bool = false, current: Bool = false,
        disks: [InstanceSnapshotDisk], vmStateSize: UInt64? = nil, filesystemFreeze: FilesystemFreeze? = nil
    ) {
        self.name = name
        self.stateful = stateful
        self.parent = parent
        self.createdAt = createdAt
        self.scheduled = scheduled
        self.current = current
        self.disks = disks
        self.vmStateSize = vmStateSize
        self.filesystemFreeze = filesystemFreeze
    }
}

/// One disk a snapshot covers.
public struct InstanceSnapshotDisk: Codable, Sendable, Equatable {
    /// The disk as the instance names it: a path or `POOL/NAME`.
    public var disk: String
    /// The disk's virtual size when the snapshot was taken (a restore brings that size back).
    public var size: ByteSize

    public init(disk: String, size: ByteSize) {
        self.disk = disk
        self.size = size
    }
}

/// `POST /1.0/instances/{name}/snapshots`.
public struct InstanceSnapshotCreate: Codable, Sendable, Equatable {
    public var name: String
    /// Save RAM and device state too (the instance must be running or paused).
    public var stateful: Bool?

    public init(name: String, stateful: Bool? = nil) {
        self.name = name
        self.stateful = stateful
    }
}

/// `POST /1.0/instances/{name}/snapshots/{snapshot}/restore`.
public struct InstanceSnapshotRestore: Codable, Sendable, Equatable {
    /// Restore a disk-only snapshot of a running instance by stopping it hard, restoring the disks and
    /// starting it again (without it, the instance must be stopped).
    public var force: Bool?

    public init(force: Bool? = nil) { self.force = force }
}

/// `PUT /1.0/instances/{name}/snapshot-schedule`.
public struct SnapshotSchedulePut: Codable, Sendable, Equatable {
    /// The interval: `30m`, `1h`, `1d`, `1w` (at least `1m`).
    public var every: String
    /// How many scheduled snapshots to keep; older ones are deleted.
    public var keep: Int
    public var stateful: Bool?

    public init(every: String, keep: Int, stateful: Bool? = nil) {
        self.every = every
        self.keep = keep
        self.stateful = stateful
    }
}

/// An instance's snapshot schedule, as `GET …/snapshot-schedule` shows it.
public struct SnapshotScheduleInfo: Codable, Sendable, Equatable {
    public var every: String
    public var keep: Int
    public var stateful: Bool
    public var since: Date
    /// When the next scheduled snapshot is due (taken only while the instance runs).
    public var nextAt: Date

    public init(every: String, keep: Int, stateful: Bool, since: Date, nextAt: Date) {
        self.every = every
        self.keep = keep
        self.stateful = stateful
        self.since = since
        self.nextAt = nextAt
    }
}
