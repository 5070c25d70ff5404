import Foundation
import JoistAPI
public import JoistCore

/// What the store keeps of one snapshot, inside its instance's record: the facts the qcow2 images do
/// not hold (which disks it covers, its parent, whether a schedule took it). The images hold the data
/// under the snapshot's name as their tag; `InstanceSupervisor.reconcileSnapshots` keeps both in step.
public struct SnapshotRecord: Codable, Sendable, Equatable {
    public struct Disk: Codable, Sendable, Equatable {
        /// The disk's source as users name it (a path or `POOL/NAME`).
        public var source: String
        public var size: ByteSize
    }

    public var name: String
    public var stateful: Bool
    public var parent: String?
    public var createdAt: Date
    public var scheduled: Bool
    public var disks: [Disk]
    /// Bytes of RAM and device state, kept in the first disk (stateful snapshots).
    public var vmStateSize: UInt64?
    /// Whether the running guest's filesystems were frozen for a disk snapshot (nil otherwise).
    public var filesystemFreeze: FilesystemFreeze?

    /// The snapshot as the API shows it; `current` when the instance is at it now.
    func view(current: Bool) -> InstanceSnapshot {
        InstanceSnapshot(
            name: name, stateful: stateful, parent: parent, createdAt: createdAt, scheduled: scheduled, current: current,
            disks: disks.map { InstanceSnapshotDisk(disk: $0.source, size: $0.size) }, vmStateSize: vmStateSize,
            filesystemFreeze: filesystemFreeze)
    }
}
