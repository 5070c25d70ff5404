import Foundation
import JoistCore
import QEMUDriver

extension InstanceSupervisor {
    /// Restores snapshot `name`.
    ///
    /// - A stateful snapshot resumes the guest at the snapshot's moment: a running guest is loaded in
    ///   place (a paused one stays paused), a stopped one is started from it.
    /// - A disk-only snapshot rewinds the disks of a stopped instance. A running guest would see its
    ///   disks change under it, so it is refused unless `force`: then the guest is stopped hard, its
    ///   disks restored and it is started again.
    public func restoreSnapshot(_ name: String, force: Bool, progress: @escaping @Sendable (Double) -> Void = { _ in }) async throws {
        try await operations.withLock { try await self.performRestoreSnapshot(name, force: force, progress: progress) }
    }

    private func performRestoreSnapshot(_ name: String, force: Bool, progress: @escaping @Sendable (Double) -> Void) async throws {
        try ensureExists()
        let snapshot = try recordedSnapshot(name)
        let plan = try restorePlan(snapshot, covered: try await attachedDisks(record.spec.disks).filter(SnapshotPlan.isCovered))
        let state = lifecycle.state
        switch (snapshot.stateful, state) {
        case (true, .running), (true, .paused):
            try await liveSnapshotter(for: "restore a snapshot of").load(plan, progress: progress)
        case (true, .stopped):
            try await performStart(loading: plan, progress: progress)
        case (false, .stopped):
            try await applyOffline(.apply, plan)
        case (false, .running), (false, .paused):
            guard force else {
                throw JoistError.invalidState(
                    "instance \(self.name) is \(state.rawValue): restoring disk snapshot \(name) would change its disks under the guest; "
                        + "stop it first, or restore with --force to stop it hard, restore the disks and start it again")
            }
            try await performStop(force: true, timeout: .zero)
            try await applyOffline(.apply, plan)
            try await performStart()
        default:
            throw JoistError.invalidState("cannot restore a snapshot of instance \(self.name) while it is \(state.rawValue)")
        }
        record.currentSnapshot = name
        try await persist()
        logger.info("restored snapshot \(name)")
        publishSnapshotEvent("instance-snapshot-restored", name)
    }

    /// The plan restoring `snapshot` onto the instance's `covered` disks now. Every disk the snapshot
    /// covers must still be attached; disks attached since are left as they are, except under a
    /// stateful snapshot, whose saved device state knows nothing of them.
    func restorePlan(_ snapshot: SnapshotRecord, covered: [AttachedDisk]) throws -> SnapshotPlan {
        let attached = Set(covered.map(\.source.description))
        if let missing = snapshot.disks.first(where: { !attached.contains($0.source) }) {
            throw JoistError.invalidState(
                "snapshot \(snapshot.name) of instance \(name) covers disk \(missing.source), which the instance no longer has; attach it again to restore")
        }
        let inSnapshot = Set(snapshot.disks.map(\.source))
        let chosen = covered.filter { inSnapshot.contains($0.source.description) }
        if snapshot.stateful, chosen.count != covered.count {
            let added = covered.filter { !inSnapshot.contains($0.source.description) }.map(\.source.description)
            throw JoistError.invalidState(
                "stateful snapshot \(snapshot.name) of instance \(name) was taken before disk(s) \(added.joined(separator: ", ")) were attached: "
                    + "its saved device state does not fit them; detach them to restore it")
        }
        // The order of the snapshot's disks: the first one holds the saved state.
        let ordered = snapshot.disks.compactMap { disk in chosen.first { $0.source.description == disk.source } }
        return try SnapshotPlan(tag: snapshot.name, disks: ordered, instance: name)
    }
}
