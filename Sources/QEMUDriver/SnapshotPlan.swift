public import JoistCore
public import QMP

/// Which of an instance's disks a snapshot covers, and the QMP it takes to snapshot, load or delete
/// them, as data. Pure: the `LiveSnapshotter` sends it to a running QEMU; a stopped instance's disks
/// go through `qemu-img snapshot` one file at a time.
///
/// Snapshots are qcow2 internal snapshots: every covered disk holds the tag, and a stateful snapshot
/// keeps its RAM and device state in the first covered disk. CD-ROMs and read-only disks are not
/// covered (nothing can change them); a writable raw disk cannot hold a snapshot, so a plan that
/// would need one is refused, naming the disk.
public struct SnapshotPlan: Sendable, Equatable {
    /// The snapshot's name: its tag in every covered image.
    public let tag: String
    /// The covered disks, in the instance's order.
    public let disks: [AttachedDisk]

    /// Plans snapshot `tag` of `disks` (all the instance's drives, CD-ROM included).
    /// - Throws: `invalidArgument` for a bad tag, `unsupported` when a writable disk is not qcow2,
    ///   `invalidState` when no disk can hold the snapshot.
    public init(tag: String, disks all: [AttachedDisk], instance: String) throws(JoistError) {
        try ResourceName.validate(tag, kind: "snapshot")
        let covered = all.filter(Self.isCovered)
        if let raw = covered.first(where: { $0.format != .qcow2 }) {
            throw JoistError(
                .unsupported,
                "instance \(instance)'s disk \(raw.source) is \(raw.format.rawValue): only qcow2 images can hold snapshots; "
                    + "convert it to qcow2 (joist volume export/import) or detach it")
        }
        guard !covered.isEmpty else {
            throw JoistError.invalidState("instance \(instance) has no writable disk to snapshot; attach a qcow2 volume first")
        }
        self.tag = tag
        self.disks = covered
    }

    /// Whether a snapshot covers `disk`: a writable disk (not a CD-ROM).
    public static func isCovered(_ disk: AttachedDisk) -> Bool { disk.media == .disk && !disk.readOnly }

    /// The node that holds the RAM and device state of a stateful snapshot: the first covered disk's.
    public var vmStateNode: String { disks[0].names.node }

    /// The covered disks' format nodes.
    public var nodes: [String] { disks.map(\.names.node) }

    /// A disk-only snapshot of a running guest: one `blockdev-snapshot-internal-sync` per disk, in one
    /// QMP `transaction`, so every disk holds the same instant or none holds any.
    public var diskSnapshotActions: [JSONValue] {
        nodes.map { node in
            ["type": "blockdev-snapshot-internal-sync", "data": ["device": .string(node), "name": .string(tag)]]
        }
    }

    /// The id of the job that saves, loads or deletes this snapshot.
    public func jobID(_ verb: String) -> String { "joist-\(verb)-\(tag)" }
}
