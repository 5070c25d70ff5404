import Foundation
public import JoistAPI
import JoistCore
import QEMUDriver
import Storage

/// Snapshots: qcow2 internal snapshots of every writable disk, under the snapshot's name as their
/// tag, recorded in the instance's record. A running guest's disks are snapshotted over QMP (one
/// `transaction`, or a `snapshot-save` job with RAM and device state); a stopped one's with
/// `qemu-img snapshot`. The images are changed first and the record second, so a crash in between
/// leaves a tag that `reconcileSnapshots` adopts (or, for a delete, a record it forgets).
extension InstanceSupervisor {
    /// The instance's snapshots, oldest first.
    public func snapshots() -> [InstanceSnapshot] {
        (record.snapshots ?? []).map { $0.view(current: $0.name == record.currentSnapshot) }
    }

    /// One snapshot, or `notFound`.
    public func snapshot(named name: String) throws -> InstanceSnapshot {
        try recordedSnapshot(name).view(current: name == record.currentSnapshot)
    }

    /// Takes snapshot `name` of every writable disk; `stateful` saves RAM and device state too (the
    /// guest must be running or paused). `progress` gets fractions of one while QEMU saves state.
    public func createSnapshot(
        _ name: String, stateful: Bool, progress: @escaping @Sendable (Double) -> Void = { _ in }
    ) async throws -> InstanceSnapshot {
        try await operations.withLock {
            try await self.performCreateSnapshot(name, stateful: stateful, scheduled: false, at: Date(), progress: progress)
        }
    }

    /// Deletes snapshot `name` from the disks that hold it and forgets it; its children take its parent.
    public func deleteSnapshot(_ name: String) async throws {
        try await operations.withLock { try await self.performDeleteSnapshot(name) }
    }

    func performCreateSnapshot(
        _ name: String, stateful: Bool, scheduled: Bool, at date: Date, progress: @escaping @Sendable (Double) -> Void
    ) async throws -> InstanceSnapshot {
        try ensureExists()
        try ResourceName.validate(name, kind: "snapshot")
        guard !(record.snapshots ?? []).contains(where: { $0.name == name }) else {
            throw JoistError.alreadyExists("instance \(self.name) already has a snapshot named \(name)")
        }
        let plan = try SnapshotPlan(tag: name, disks: try await attachedDisks(record.spec.disks), instance: self.name)
        var freeze: FilesystemFreeze?
        switch lifecycle.state {
        case .stopped:
            guard !stateful else {
                throw JoistError.invalidState(
                    "instance \(self.name) is stopped: there is no RAM or device state to save; take a disk snapshot (without --stateful) or start it first")
            }
            try await applyOffline(.create, plan)
        case .running, .paused:
            let live = try liveSnapshotter(for: "snapshot")
            if stateful {
                try await live.save(plan, progress: progress)
            } else if lifecycle.state == .running {
                freeze = try await guestQuiescer().whileFrozen { try await live.takeDiskSnapshot(plan) }.freeze
            } else {
                // A paused guest's vCPUs cannot run its agent: the disks are captured as they are.
                try await live.takeDiskSnapshot(plan)
            }
        default:
            throw JoistError.invalidState("cannot snapshot instance \(self.name) while it is \(lifecycle.state.rawValue)")
        }
        let taken = try await recordTaken(plan, stateful: stateful, scheduled: scheduled, at: date, filesystemFreeze: freeze)
        logger.info("took \(stateful ? "stateful " : "")snapshot \(name) of \(plan.disks.count) disk(s)\(freeze.map { ", filesystems \($0.summary)" } ?? "")")
        return taken
    }

    /// Records snapshot `plan.tag`, just taken on the plan's disks, as the instance's current one. When
    /// the record cannot be stored, the tags are removed again.
    func recordTaken(
        _ plan: SnapshotPlan, stateful: Bool, scheduled: Bool, at date: Date, filesystemFreeze: FilesystemFreeze? = nil
    ) async throws -> InstanceSnapshot {
        var taken = await describe(plan, stateful: stateful, scheduled: scheduled, at: date)
        taken.filesystemFreeze = filesystemFreeze
        let previous = (record.snapshots, record.currentSnapshot)
        record.snapshots = (record.snapshots ?? []) + [taken]
        record.currentSnapshot = plan.tag
        do {
            try await persist()
        } catch {
            (record.snapshots, record.currentSnapshot) = previous
            try? await removeTags(plan)
            throw error
        }
        publishSnapshotEvent("instance-snapshot-created", plan.tag)
        return taken.view(current: true)
    }

    func performDeleteSnapshot(_ name: String) async throws {
        try ensureExists()
        let snapshot = try recordedSnapshot(name)
        let covered = try await attachedDisks(record.spec.disks).filter(SnapshotPlan.isCovered)
        let holders = covered.filter { disk in snapshot.disks.contains { $0.source == disk.source.description } }
        if !holders.isEmpty {
            try await removeTags(try SnapshotPlan(tag: name, disks: holders, instance: self.name))
        }
        let previous = (record.snapshots, record.currentSnapshot)
        record.snapshots = SnapshotTree.removing(name, from: record.snapshots ?? [])
        if record.currentSnapshot == name { record.currentSnapshot = snapshot.parent }
        if record.snapshots?.isEmpty == true { record.snapshots = nil }
        do {
            try await persist()
        } catch {
            (record.snapshots, record.currentSnapshot) = previous
            throw error
        }
        logger.info("deleted snapshot \(name)")
        publishSnapshotEvent("instance-snapshot-deleted", name)
    }

    /// Removes the plan's tag from its disks: over QMP while QEMU has them open, else with qemu-img
    /// (passing over disks that do not hold it).
    func removeTags(_ plan: SnapshotPlan) async throws {
        switch lifecycle.state {
        case .stopped:
            try await applyOffline(.delete, plan)
        case .running, .paused:
            try await liveSnapshotter(for: "delete a snapshot of").delete(plan)
        default:
            throw JoistError.invalidState("cannot change the snapshots of instance \(name) while it is \(lifecycle.state.rawValue)")
        }
    }

    /// Runs `qemu-img snapshot` on each of the plan's disks. A create that fails part-way deletes the
    /// tags it made; a delete passes over disks that do not hold the tag.
    func applyOffline(_ action: QemuImg.SnapshotAction, _ plan: SnapshotPlan) async throws {
        let qemuImg = QemuImg()
        var done: [AttachedDisk] = []
        for disk in plan.disks {
            do {
                if action == .delete, try await !qemuImg.snapshots(of: disk.path).contains(where: { $0.name == plan.tag }) { continue }
                if action == .apply { try await dropChangeRecords(of: disk, qemuImg: qemuImg) }
                try await qemuImg.snapshot(action, tag: plan.tag, path: disk.path)
                done.append(disk)
            } catch {
                if action == .create {
                    for made in done { try? await qemuImg.snapshot(.delete, tag: plan.tag, path: made.path) }
                }
                throw JoistError.hostFailure("cannot \(Self.verb(action)) snapshot \(plan.tag) of disk \(disk.source): \(Self.message(of: error))")
            }
        }
    }

    /// Removes the backups' dirty bitmaps (`joist-…`) from a disk about to be rewound: qemu-img will
    /// not apply a snapshot under an active bitmap, and what the bitmap recorded no longer describes
    /// the disk. With it gone the next backup finds no checkpoint and reads the disk whole.
    private func dropChangeRecords(of disk: AttachedDisk, qemuImg: QemuImg) async throws {
        for bitmap in try await qemuImg.info(disk.path, format: .qcow2).bitmaps where bitmap.hasPrefix(BackupCheckpoint.bitmapPrefix) {
            try await qemuImg.removeBitmap(bitmap, path: disk.path)
            logger.info("removed change record \(bitmap) of disk \(disk.source) before restoring a snapshot: its next backup reads it whole")
        }
    }

    private static func verb(_ action: QemuImg.SnapshotAction) -> String {
        switch action {
        case .create: "take"
        case .apply: "restore"
        case .delete: "delete"
        }
    }

    /// The record of a new snapshot: its disks' sizes and the state's size, as the images say.
    private func describe(_ plan: SnapshotPlan, stateful: Bool, scheduled: Bool, at date: Date) async -> SnapshotRecord {
        let qemuImg = QemuImg()
        var disks: [SnapshotRecord.Disk] = []
        var vmState: UInt64?
        for (index, disk) in plan.disks.enumerated() {
            let info = try? await qemuImg.info(disk.path, format: .qcow2)
            disks.append(SnapshotRecord.Disk(source: disk.source.description, size: ByteSize(bytes: info?.virtualSize ?? 0)))
            if stateful, index == 0 { vmState = info?.snapshots?.first { $0.name == plan.tag }?.vmStateSize }
        }
        return SnapshotRecord(
            name: plan.tag, stateful: stateful, parent: record.currentSnapshot, createdAt: date, scheduled: scheduled, disks: disks,
            vmStateSize: vmState)
    }

    func recordedSnapshot(_ name: String) throws -> SnapshotRecord {
        guard let snapshot = record.snapshots?.first(where: { $0.name == name }) else {
            throw JoistError.notFound("instance \(self.name) has no snapshot named \(name)")
        }
        return snapshot
    }

    /// Freezes the running guest's filesystems through its guest agent, for the moment its disks are
    /// captured (a disk snapshot, a backup's point-in-time view).
    func guestQuiescer() -> any GuestQuiescer {
        var portOpen: (@Sendable () async -> Bool?)?
        if let qmp {
            portOpen = {
                let open: Bool?? = try? await qmp.chardevFrontendOpen(QEMUArgvBuilder.guestAgentChardev)
                return open ?? nil
            }
        }
        return AgentQuiescer(socketPath: paths.guestAgentSocket, logger: logger, portOpen: portOpen)
    }

    /// The snapshotter of a running or paused guest's QEMU.
    func liveSnapshotter(for action: String) throws -> LiveSnapshotter {
        guard let qmp else { throw JoistError.invalidState("cannot \(action) instance \(name): its QEMU is not connected") }
        return LiveSnapshotter(qmp: qmp)
    }

    func publishSnapshotEvent(_ action: String, _ snapshot: String) {
        env.events.publish(.lifecycle(
            .init(action: action, source: "/1.0/instances/\(name)/snapshots/\(snapshot)", name: snapshot), project: key.project))
    }
}
