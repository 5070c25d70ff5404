public import Foundation
public import JoistCore

/// An instance's backup schedule: a backup into `store` every `every`, then a prune of the instance's
/// backups in that store with `keep` (an empty policy prunes nothing).
///
/// A backup is due when the instance's newest backup in the store is one interval old, whoever made
/// it: a schedule promises that the newest backup is never much older than the interval, so a backup
/// made by hand moves the next scheduled one back, and an instance with no backup there gets one at
/// once. A daemon that was down for several intervals makes one backup when it is back, not one per
/// missed interval. Pure: the scheduler passes the time and what the store holds.
public struct BackupSchedule: Codable, Sendable, Equatable {
    public var every: SnapshotInterval
    /// The backup store the scheduled backups go to.
    public var store: String
    /// What the prune after each scheduled backup keeps.
    public var keep: RetentionPolicy
    /// When the schedule was set.
    public var since: Date

    /// The longest wait before a failed scheduled backup is tried again: shorter intervals retry after
    /// one interval, so a store that is back (a disk mounted again) is used soon, without a failing
    /// operation every few seconds.
    public static let maximumRetryDelay: TimeInterval = 15 * 60

    public init(every: SnapshotInterval, store: String, keep: RetentionPolicy = RetentionPolicy(), since: Date) throws(JoistError) {
        try ResourceName.validate(store, kind: "backup store")
        try keep.validate()
        self.every = every
        self.store = store
        self.keep = keep
        self.since = since
    }

    /// When the next backup is due: one interval after the newest backup in the store (`newestBackup`,
    /// nil when there is none: then at once), and no sooner than the retry delay after the last failed
    /// attempt.
    public func nextDue(newestBackup: Date?, lastFailure: Date? = nil) -> Date {
        let due = newestBackup.map { $0.addingTimeInterval(TimeInterval(every.seconds)) } ?? since
        guard let lastFailure else { return due }
        return max(due, lastFailure.addingTimeInterval(retryDelay))
    }

    /// Whether a backup is due at `now`.
    public func isDue(at now: Date, newestBackup: Date?, lastFailure: Date? = nil) -> Bool {
        nextDue(newestBackup: newestBackup, lastFailure: lastFailure) <= now
    }

    /// How long after a failed attempt the next one is made.
    public var retryDelay: TimeInterval { min(TimeInterval(every.seconds), Self.maximumRetryDelay) }
}
