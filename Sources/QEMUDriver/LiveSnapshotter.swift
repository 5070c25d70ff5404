import Foundation
import JoistCore
public import QMP

/// Takes, loads and deletes the snapshots of a running guest over QMP, following `SnapshotPlan`s.
public struct LiveSnapshotter: Sendable {
    let qmp: QMPClient
    /// How often a running job is asked for its progress.
    let pollInterval: Duration

    public init(qmp: QMPClient, pollInterval: Duration = .milliseconds(100)) {
        self.qmp = qmp
        self.pollInterval = pollInterval
    }

    /// Snapshots every covered disk at one instant (QMP `transaction`); the guest keeps running.
    public func takeDiskSnapshot(_ plan: SnapshotPlan) async throws {
        do {
            try await qmp.transaction(plan.diskSnapshotActions)
        } catch let error as QMPError {
            throw JoistError.hostFailure("QEMU could not snapshot the disks as \(plan.tag): \(error)")
        }
    }

    /// Saves RAM, device state and every covered disk as the plan's tag (QMP `snapshot-save`). The
    /// guest is stopped while the state is written and resumed afterwards if it was running.
    /// `progress` gets fractions of one.
    public func save(_ plan: SnapshotPlan, progress: @Sendable (Double) -> Void = { _ in }) async throws {
        let id = plan.jobID("save")
        try await run(id, "save snapshot \(plan.tag)", progress: progress) {
            try await qmp.snapshotSave(jobID: id, tag: plan.tag, vmstate: plan.vmStateNode, devices: plan.nodes)
        }
    }

    /// Loads the plan's tag: RAM, device state and disks (QMP `snapshot-load`). A guest that was
    /// running runs on from the snapshot's moment; one that was paused (or not yet started) stays so.
    ///
    /// The backups' dirty bitmaps on the covered disks are removed first: QEMU will not load a
    /// snapshot under an active bitmap, and what they recorded no longer describes the disks. The
    /// next backup finds no checkpoint and reads the disks whole.
    public func load(_ plan: SnapshotPlan, progress: @Sendable (Double) -> Void = { _ in }) async throws {
        try await dropChangeRecords(on: plan.nodes)
        let id = plan.jobID("load")
        try await run(id, "load snapshot \(plan.tag)", progress: progress) {
            try await qmp.snapshotLoad(jobID: id, tag: plan.tag, vmstate: plan.vmStateNode, devices: plan.nodes)
        }
    }

    /// Removes Joist's dirty bitmaps (`BackupCheckpoint.bitmapPrefix`) from `nodes`; others stay.
    private func dropChangeRecords(on nodes: [String]) async throws {
        do {
            let bitmaps = try await qmp.queryDirtyBitmaps()
            for node in nodes {
                for bitmap in bitmaps[node] ?? [] where bitmap.name.hasPrefix(BackupCheckpoint.bitmapPrefix) {
                    _ = try await qmp.execute("block-dirty-bitmap-remove", arguments: ["node": .string(node), "name": .string(bitmap.name)])
                }
            }
        } catch let error as QMPError {
            throw JoistError.hostFailure("QEMU could not drop the backups' change records before loading a snapshot: \(error)")
        }
    }

    /// Deletes the plan's tag from every covered disk, while the guest runs. Disks that do not hold
    /// the tag are passed over; the first other failure is thrown after trying every disk.
    public func delete(_ plan: SnapshotPlan) async throws {
        var failure: (any Error)?
        for node in plan.nodes {
            do {
                try await qmp.blockdevSnapshotDeleteInternal(device: node, name: plan.tag)
            } catch QMPError.commandFailed(_, let description) where description.contains("not found") || description.contains("Can't find") {
                continue
            } catch {
                failure = failure ?? JoistError.hostFailure("QEMU could not delete snapshot \(plan.tag) of node \(node): \(error)")
            }
        }
        if let failure { throw failure }
    }

    /// Starts a job with `start`, reports its progress until it concludes, dismisses it, and throws
    /// the job's error if it had one.
    private func run(_ id: String, _ what: String, progress: @Sendable (Double) -> Void, start: () async throws -> Void) async throws {
        do {
            try await start()
        } catch let error as QMPError {
            throw JoistError.hostFailure("QEMU could not \(what): \(error)")
        }
        while true {
            guard let job = try await qmp.queryJobs().first(where: { $0.id == id }) else {
                throw JoistError.hostFailure("QEMU lost the job that was to \(what)")
            }
            if job.totalProgress > 0 { progress(Double(job.currentProgress) / Double(job.totalProgress)) }
            if job.isConcluded {
                try? await qmp.jobDismiss(id: id)
                if let error = job.error { throw JoistError.hostFailure("QEMU could not \(what): \(error)") }
                return
            }
            try await Task.sleep(for: pollInterval)
        }
    }
}
