import Foundation
public import JoistAPI
public import JoistCore

extension InstanceSupervisor {
    /// Sets (or, with nil, clears) the instance's snapshot schedule.
    public func setSnapshotSchedule(_ schedule: SnapshotSchedule?) async throws {
        try await operations.withLock {
            try await self.ensureExists()
            let previous = await self.record.snapshotSchedule
            await self.replaceSchedule(schedule)
            do {
                try await self.persist()
            } catch {
                await self.replaceSchedule(previous)
                throw error
            }
        }
    }

    private func replaceSchedule(_ schedule: SnapshotSchedule?) { record.snapshotSchedule = schedule }

    /// The schedule with its next due time, or nil when the instance has none.
    public func snapshotScheduleInfo() -> SnapshotScheduleInfo? {
        guard let schedule = record.snapshotSchedule else { return nil }
        return SnapshotScheduleInfo(
            every: schedule.every.description, keep: schedule.keep, stateful: schedule.stateful, since: schedule.since,
            nextAt: schedule.nextDue(lastScheduled: lastScheduledSnapshot))
    }

    /// When the newest snapshot the schedule took was taken.
    var lastScheduledSnapshot: Date? {
        (record.snapshots ?? []).filter(\.scheduled).map(\.createdAt).max()
    }

    /// Whether the schedule wants a snapshot at `now`. Only guests with a process are snapshotted:
    /// a stopped instance's disks do not change.
    public func scheduledSnapshotDue(at now: Date) -> Bool {
        guard !deleted, let schedule = record.snapshotSchedule, lifecycle.state == .running || lifecycle.state == .paused else { return false }
        return schedule.isDue(at: now, lastScheduled: lastScheduledSnapshot)
    }

    /// Takes the scheduled snapshot due at `now`, then deletes the oldest scheduled snapshots beyond
    /// the schedule's `keep`. Returns the snapshot taken (nil when none was due any more) and the
    /// names pruned. A prune that fails is logged and tried again after the next snapshot.
    public func runSnapshotSchedule(at now: Date, progress: @escaping @Sendable (Double) -> Void = { _ in }) async throws -> (
        taken: String?, pruned: [String]
    ) {
        try await operations.withLock { try await self.performScheduledSnapshot(at: now, progress: progress) }
    }

    private func performScheduledSnapshot(at now: Date, progress: @escaping @Sendable (Double) -> Void) async throws -> (
        taken: String?, pruned: [String]
    ) {
        guard scheduledSnapshotDue(at: now), let schedule = record.snapshotSchedule else { return (nil, []) }
        let name = SnapshotSchedule.snapshotName(at: now)
        _ = try await performCreateSnapshot(name, stateful: schedule.stateful, scheduled: true, at: now, progress: progress)
        var pruned: [String] = []
        for old in schedule.prune((record.snapshots ?? []).filter(\.scheduled).map { ($0.name, $0.createdAt) }) {
            do {
                try await performDeleteSnapshot(old)
                pruned.append(old)
            } catch {
                logger.warning("cannot prune scheduled snapshot \(old): \(error)")
            }
        }
        return (name, pruned)
    }
}
