import Foundation
public import JoistAPI
import JoistCore
import QEMUDriver
import Storage

extension InstanceManager {
    /// Every instance's supervisor, in every project (for the snapshot scheduler).
    public func allSupervisors() -> [InstanceSupervisor] {
        supervisors.values.flatMap(\.values)
    }

    /// Sets an instance's snapshot schedule from the API's request; returns it with its next due time.
    public func setSnapshotSchedule(_ request: SnapshotSchedulePut, of name: String, in project: String) async throws -> SnapshotScheduleInfo {
        let schedule = try SnapshotSchedule(
            every: try SnapshotInterval(parsing: request.every), keep: request.keep, stateful: request.stateful ?? false, since: Date())
        let supervisor = try supervisor(name, in: project)
        try await supervisor.setSnapshotSchedule(schedule)
        guard let info = await supervisor.snapshotScheduleInfo() else { throw JoistError.notFound("instance \(name) has no snapshot schedule") }
        return info
    }

    /// Deletes a deleted instance's snapshots from the disks that outlive it (volumes it did not own,
    /// file disks), so they do not come back as someone else's snapshots. Volumes deleted with it take
    /// theirs along. The instance is stopped; failures are logged.
    func removeSnapshots(of record: InstanceRecord, key: InstanceKey) async {
        guard let snapshots = record.snapshots, !snapshots.isEmpty else { return }
        let owned = Set(record.ownedVolumes ?? [])
        let surviving = record.spec.disks.filter { disk in disk.volume.map { !owned.contains($0) } ?? true }
        var paths: [String: String] = [:]
        for disk in surviving {
            switch disk.source {
            case .file(let path): paths[disk.source.description] = path
            case .volume(let volume): paths[disk.source.description] = try? await storage.locate(volume, project: key.project).path
            }
        }
        let qemuImg = QemuImg()
        for snapshot in snapshots {
            for disk in snapshot.disks {
                guard let path = paths[disk.source] else { continue }
                do {
                    try await qemuImg.snapshot(.delete, tag: snapshot.name, path: path)
                } catch {
                    env.logger.warning("kept snapshot \(snapshot.name) in disk \(disk.source) of deleted instance \(key): \(error)")
                }
            }
        }
    }
}
