import ArgumentParser
import JoistAPI

/// `--keep-last N --keep-hourly N --keep-daily N --keep-weekly N --keep-monthly N --keep-yearly N`:
/// which backups a prune keeps. A backup any rule keeps stays.
struct BackupKeepOptions: ParsableArguments {
    @Option(help: "Keep the newest N backups.") var keepLast: Int?
    @Option(help: "Keep the newest backup of each of the newest N hours that have backups.") var keepHourly: Int?
    @Option(help: "Keep the newest backup of each of the newest N days that have backups.") var keepDaily: Int?
    @Option(help: "Keep the newest backup of each of the newest N weeks (Monday first) that have backups.") var keepWeekly: Int?
    @Option(help: "Keep the newest backup of each of the newest N months that have backups.") var keepMonthly: Int?
    @Option(help: "Keep the newest backup of each of the newest N years that have backups.") var keepYearly: Int?

    var keep: BackupKeep {
        BackupKeep(last: keepLast, hourly: keepHourly, daily: keepDaily, weekly: keepWeekly, monthly: keepMonthly, yearly: keepYearly)
    }

    func validate() throws {
        let given = [("last", keepLast), ("hourly", keepHourly), ("daily", keepDaily), ("weekly", keepWeekly), ("monthly", keepMonthly), ("yearly", keepYearly)]
        if let (rule, count) = given.first(where: { ($0.1 ?? 0) < 0 }) {
            throw ValidationError("--keep-\(rule) must be 0 or more, not \(count ?? 0)")
        }
    }
}
