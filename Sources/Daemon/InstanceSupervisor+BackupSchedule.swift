public import Backup
import Foundation
import JoistCore

extension InstanceSupervisor {
    /// Sets (or, with nil, clears) the instance's backup schedule; its backups stay either way.
    public func setBackupSchedule(_ schedule: BackupSchedule?) async throws {
        try await operations.withLock {
            try await self.ensureExists()
            let previous = await self.record.backupSchedule
            await self.replaceBackupSchedule(schedule)
            do {
                try await self.persist()
            } catch {
                await self.replaceBackupSchedule(previous)
                throw error
            }
        }
    }

    private func replaceBackupSchedule(_ schedule: BackupSchedule?) { record.backupSchedule = schedule }

    /// The backup schedule, or nil when the instance has none or is being deleted.
    public func backupSchedule() -> BackupSchedule? {
        deleted ? nil : record.backupSchedule
    }
}
