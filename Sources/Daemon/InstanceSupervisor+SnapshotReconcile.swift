import Foundation
import JoistCore
import QEMUDriver
import Storage

extension InstanceSupervisor {
    /// Brings the recorded snapshots in step with the tags the instance's qcow2 images hold (see
    /// `SnapshotReconciliation`); run when the daemon loads. Images are read with `qemu-img info -U`,
    /// which works while a guest has them open; an instance with no recorded snapshot whose images'
    /// headers count none is left at that.
    public func reconcileSnapshots() async {
        try? await operations.withLock { await self.performReconcileSnapshots() }
    }

    private func performReconcileSnapshots() async {
        guard !deleted, let attached = try? await attachedDisks(record.spec.disks) else { return }
        let covered = attached.filter { SnapshotPlan.isCovered($0) && $0.format == .qcow2 }
        // Most instances have no snapshot anywhere: their headers say so without a qemu-img each.
        if (record.snapshots ?? []).isEmpty, covered.allSatisfy({ (try? QCOW2Header.read(atPath: $0.path))?.snapshotCount == 0 }) { return }
        let qemuImg = QemuImg()
        var disks: [SnapshotReconciliation.Disk] = []
        for disk in covered {
            do {
                let info = try await qemuImg.info(disk.path, format: .qcow2)
                disks.append(.init(source: disk.source.description, size: ByteSize(bytes: info.virtualSize), snapshots: info.snapshots ?? []))
            } catch {
                logger.warning("cannot read the snapshots of disk \(disk.source): \(error)")
            }
        }
        let outcome = SnapshotReconciliation(recorded: record.snapshots ?? [], current: record.currentSnapshot, disks: disks)
        if !outcome.ignored.isEmpty {
            logger.notice("disk snapshots \(outcome.ignored.joined(separator: ", ")) are not valid snapshot names; Joist leaves them alone")
        }
        guard outcome.changed else { return }
        for name in outcome.forgotten { logger.warning("snapshot \(name) is missing from its disks; forgetting it") }
        for name in outcome.adopted { logger.notice("adopted snapshot \(name), found in the disks without a record") }
        record.snapshots = outcome.snapshots.isEmpty ? nil : outcome.snapshots
        record.currentSnapshot = outcome.current
        do { try await persist() } catch { logger.error("cannot record the reconciled snapshots: \(error)") }
    }
}
