import Foundation

/// How many backups each retention rule keeps: the newest `last`, and the newest backup of each of the
/// newest `hourly` hours, `daily` days, … that have backups. A backup any rule keeps stays. Absent or 0:
/// the rule is off. The wire's `keep…` fields of prunes and backup schedules.
public struct BackupKeep: Sendable, Equatable {
    public var last: Int?
    public var hourly: Int?
    public var daily: Int?
    public var weekly: Int?
    public var monthly: Int?
    public var yearly: Int?

    public init(last: Int? = nil, hourly: Int? = nil, daily: Int? = nil, weekly: Int? = nil, monthly: Int? = nil, yearly: Int? = nil) {
        self.last = last
        self.hourly = hourly
        self.daily = daily
        self.weekly = weekly
        self.monthly = monthly
        self.yearly = yearly
    }

    /// Whether no rule is on.
    public var isEmpty: Bool { [last, hourly, daily, weekly, monthly, yearly].allSatisfy { ($0 ?? 0) == 0 } }

    /// The rules that are on, as `--keep-daily 7`-style words, e.g. `last 3, daily 7`.
    public var summary: String {
        let rules = [("last", last), ("hourly", hourly), ("daily", daily), ("weekly", weekly), ("monthly", monthly), ("yearly", yearly)]
        let on = rules.compactMap { rule, count in (count ?? 0) > 0 ? "\(rule) \(count ?? 0)" : nil }
        return on.isEmpty ? "everything" : on.joined(separator: ", ")
    }

    /// The JSON names of the fields, as they appear in request bodies.
    public static let fields: Set<String> = ["keepLast", "keepHourly", "keepDaily", "keepWeekly", "keepMonthly", "keepYearly"]
}

/// `POST /1.0/instances/{name}/backups/prune`: remove the instance's backups in a store that no
/// `keep…` rule keeps (at least one rule must be on). Only manifests are removed; the chunks they
/// alone needed stay until `POST /1.0/backup-stores/{store}/gc`.
public struct InstanceBackupPrune: Codable, Sendable, Equatable {
    public var keepLast: Int?
    public var keepHourly: Int?
    public var keepDaily: Int?
    public var keepWeekly: Int?
    public var keepMonthly: Int?
    public var keepYearly: Int?
    /// The backup store; `default` when absent.
    public var store: String?
    /// Report what would be removed, removing nothing.
    public var dryRun: Bool?

    public init(keep: BackupKeep, store: String? = nil, dryRun: Bool? = nil) {
        keepLast = keep.last
        keepHourly = keep.hourly
        keepDaily = keep.daily
        keepWeekly = keep.weekly
        keepMonthly = keep.monthly
        keepYearly = keep.yearly
        self.store = store
        self.dryRun = dryRun
    }

    public var keep: BackupKeep {
        BackupKeep(last: keepLast, hourly: keepHourly, daily: keepDaily, weekly: keepWeekly, monthly: keepMonthly, yearly: keepYearly)
    }

    public static let fields: Set<String> = BackupKeep.fields.union(["store", "dryRun"])
}

/// What a prune kept and removed.
public struct InstanceBackupPruneResult: Codable, Sendable, Equatable {
    public var instance: String
    public var store: String
    /// Whether nothing was removed (the `removed` list says what would be).
    public var dryRun: Bool
    /// The backups kept, newest first.
    public var kept: [InstanceBackupPruneEntry]
    /// The backups removed (or, in a dry run, to be removed), oldest first.
    public var removed: [InstanceBackupPruneEntry]

    public init(instance: String, store: String, dryRun: Bool, kept: [InstanceBackupPruneEntry], removed: [InstanceBackupPruneEntry]) {
        self.instance = instance
        self.store = store
        self.dryRun = dryRun
        self.kept = kept
        self.removed = removed
    }
}

/// One backup in a prune's result.
public struct InstanceBackupPruneEntry: Codable, Sendable, Equatable {
    public var id: String
    public var createdAt: Date
    /// The rules that kept it (`last`, `hourly`, `daily`, `weekly`, `monthly`, `yearly`); absent for a
    /// removed backup.
    public var keptBy: [String]?

    public init(id: String, createdAt: Date, keptBy: [String]? = nil) {
        self.id = id
        self.createdAt = createdAt
        self.keptBy = keptBy
    }
}

/// `PUT /1.0/instances/{name}/backup-schedule`: back the instance up into `store` every `every`, then
/// prune its backups there with the `keep…` rules (none: nothing is pruned).
public struct BackupSchedulePut: Codable, Sendable, Equatable {
    /// The interval: `30m`, `1h`, `1d`, `1w` (at least `1m`).
    public var every: String
    /// The backup store; `default` when absent.
    public var store: String?
    public var keepLast: Int?
    public var keepHourly: Int?
    public var keepDaily: Int?
    public var keepWeekly: Int?
    public var keepMonthly: Int?
    public var keepYearly: Int?

    public init(every: String, store: String? = nil, keep: BackupKeep = BackupKeep()) {
        self.every = every
        self.store = store
        keepLast = keep.last
        keepHourly = keep.hourly
        keepDaily = keep.daily
        keepWeekly = keep.weekly
        keepMonthly = keep.monthly
        keepYearly = keep.yearly
    }

    public var keep: BackupKeep {
        BackupKeep(last: keepLast, hourly: keepHourly, daily: keepDaily, weekly: keepWeekly, monthly: keepMonthly, yearly: keepYearly)
    }

    public static let fields: Set<String> = BackupKeep.fields.union(["every", "store"])
}

/// An instance's backup schedule, as `GET …/backup-schedule` shows it; `keep…` fields that are off
/// are absent.
public struct BackupScheduleInfo: Codable, Sendable, Equatable {
    public var every: String
    public var store: String
    public var keepLast: Int?
    public var keepHourly: Int?
    public var keepDaily: Int?
    public var keepWeekly: Int?
    public var keepMonthly: Int?
    public var keepYearly: Int?
    public var since: Date
    /// When the next scheduled backup is due: one interval after the instance's newest backup in the
    /// store, whoever made it.
    public var nextAt: Date

    public init(every: String, store: String, keep: BackupKeep, since: Date, nextAt: Date) {
        self.every = every
        self.store = store
        keepLast = keep.last
        keepHourly = keep.hourly
        keepDaily = keep.daily
        keepWeekly = keep.weekly
        keepMonthly = keep.monthly
        keepYearly = keep.yearly
        self.since = since
        self.nextAt = nextAt
    }

    public var keep: BackupKeep {
        BackupKeep(last: keepLast, hourly: keepHourly, daily: keepDaily, weekly: keepWeekly, monthly: keepMonthly, yearly: keepYearly)
    }
}
