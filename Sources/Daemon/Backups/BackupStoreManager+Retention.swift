public import Backup
import Foundation
public import JoistAPI
import JoistCore

/// Removing an instance's backups from a store: one by id, or those a retention policy does not keep.
/// Only manifests go; `gc` reclaims the chunks no manifest names any more.
extension BackupStoreManager {
    /// Prunes `instance`'s backups in `store` with `keep` (at least one rule), or only reports what
    /// would go when `dryRun`.
    public func prune(
        _ instance: String, in project: String, store: String, keep: BackupKeep, dryRun: Bool
    ) async throws -> InstanceBackupPruneResult {
        let policy = try RetentionPolicy(keep)
        let calendar = Self.retentionCalendar
        let outcome = try await withStore(store) { chunks in
            try chunks.prune(project: project, instance: instance, policy: policy, calendar: calendar, dryRun: dryRun)
        }
        if !dryRun, !outcome.removed.isEmpty {
            logger.info(
                "pruned \(outcome.removed.count) backup(s) of \(project)/\(instance) from backup store \(store) (keep \(keep.summary)), kept \(outcome.kept.count)")
        }
        return InstanceBackupPruneResult(
            instance: instance, store: store, dryRun: dryRun,
            kept: outcome.kept.map { InstanceBackupPruneEntry(id: $0.id.value, createdAt: $0.createdAt, keptBy: $0.reasons.map(\.rawValue)) },
            removed: outcome.removed.map { InstanceBackupPruneEntry(id: $0.id.value, createdAt: $0.createdAt) })
    }

    /// Deletes backup `id` of `instance` from whichever store holds it; returns that store's name.
    public func deleteBackup(_ id: BackupID, of instance: String, in project: String) async throws -> String {
        let store = try await storeHolding(id, of: instance, in: project)
        try await withStore(store) { chunks in try chunks.deleteManifest(project: project, instance: instance, id: id) }
        logger.info("deleted backup \(id) of \(project)/\(instance) from backup store \(store)")
        return store
    }

    /// When `instance`'s newest backup in `store` was made (from the ids, to the second), or nil when
    /// it has none there.
    public func newestBackupDate(of instance: String, in project: String, store: String) async throws -> Date? {
        try await withStore(store) { chunks in try chunks.backupIDs(project: project, instance: instance).compactMap(\.date).max() }
    }

    /// An instance's backup schedule with its next due time: one interval after its newest backup in
    /// the schedule's store (now, when it has none or the store cannot be read). A failed scheduled
    /// backup is tried again after `BackupSchedule.retryDelay`, which this does not show.
    public func info(of schedule: BackupSchedule, for instance: String, in project: String) async -> BackupScheduleInfo {
        let newest = try? await newestBackupDate(of: instance, in: project, store: schedule.store)
        return BackupScheduleInfo(
            every: schedule.every.description, store: schedule.store, keep: schedule.keep.wire, since: schedule.since,
            nextAt: schedule.nextDue(newestBackup: newest))
    }

    /// Retention periods follow the host's time zone (a "daily" backup is the newest of a local day),
    /// with ISO weeks (Monday first).
    static var retentionCalendar: Calendar {
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = TimeZone.current
        return calendar
    }
}

extension RetentionPolicy {
    /// The policy of the wire's `keep…` fields; negative counts are refused.
    public init(_ keep: BackupKeep) throws(JoistError) {
        self.init(
            keepLast: keep.last ?? 0, keepHourly: keep.hourly ?? 0, keepDaily: keep.daily ?? 0, keepWeekly: keep.weekly ?? 0,
            keepMonthly: keep.monthly ?? 0, keepYearly: keep.yearly ?? 0)
        try validate()
    }

    /// The wire's `keep…` fields, with rules that are off left out.
    public var wire: BackupKeep {
        func on(_ count: Int) -> Int? { count > 0 ? count : nil }
        return BackupKeep(
            last: on(keepLast), hourly: on(keepHourly), daily: on(keepDaily), weekly: on(keepWeekly), monthly: on(keepMonthly),
            yearly: on(keepYearly))
    }
}
