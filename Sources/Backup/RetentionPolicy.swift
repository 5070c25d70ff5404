public import Foundation
import JoistCore

/// Which backups to keep, in the style of restic and Proxmox: the last N, and the newest backup of
/// each of the last N hours, days, weeks, months and years that have backups. Pure: the calendar
/// (and with it the time zone and the first day of the week) is given, never taken from the host.
///
/// Each rule is applied on its own to all backups and a backup is kept when any rule keeps it (as
/// restic does), so `--keep-last 3 --keep-daily 7` keeps the three newest and one per day for the
/// seven newest days that have backups. A policy with no rule keeps everything: pruning with an empty
/// policy never deletes a backup.
public struct RetentionPolicy: Codable, Sendable, Equatable {
    public var keepLast = 0
    public var keepHourly = 0
    public var keepDaily = 0
    public var keepWeekly = 0
    public var keepMonthly = 0
    public var keepYearly = 0

    public init(keepLast: Int = 0, keepHourly: Int = 0, keepDaily: Int = 0, keepWeekly: Int = 0, keepMonthly: Int = 0, keepYearly: Int = 0) {
        self.keepLast = keepLast
        self.keepHourly = keepHourly
        self.keepDaily = keepDaily
        self.keepWeekly = keepWeekly
        self.keepMonthly = keepMonthly
        self.keepYearly = keepYearly
    }

    /// Whether no rule is set (such a policy keeps everything).
    public var isEmpty: Bool { rules.allSatisfy { $0.count == 0 } }

    /// Refuses negative counts.
    public func validate() throws(JoistError) {
        if let bad = rules.first(where: { $0.count < 0 }) {
            throw .invalidArgument("keep-\(bad.rule.rawValue) must be 0 or more, not \(bad.count)")
        }
    }

    /// The rules with their counts, in the order reasons are listed.
    var rules: [(rule: RetentionRule, count: Int)] {
        [(.last, keepLast), (.hourly, keepHourly), (.daily, keepDaily), (.weekly, keepWeekly), (.monthly, keepMonthly), (.yearly, keepYearly)]
    }

    /// Splits `backups` into those to keep (with the rules that keep each) and those to remove.
    /// Backups are considered newest first; ties in time are broken by id.
    public func apply<ID: Hashable & Comparable & Sendable>(
        to backups: [(id: ID, date: Date)], calendar: Calendar
    ) -> RetentionDecision<ID> {
        let ordered = backups.sorted { ($0.date, $0.id) > ($1.date, $1.id) }
        if isEmpty {
            return RetentionDecision(keep: ordered.map { .init(id: $0.id, reasons: []) }, remove: [])
        }
        var reasons: [ID: [RetentionRule]] = [:]
        for (rule, count) in rules where count > 0 {
            var lastBucket: [Int]?
            var kept = 0
            for backup in ordered where kept < count {
                let bucket = rule.bucket(of: backup.date, index: kept, calendar: calendar)
                if rule == .last || bucket != lastBucket {
                    reasons[backup.id, default: []].append(rule)
                    kept += 1
                    lastBucket = bucket
                }
            }
        }
        var decision = RetentionDecision<ID>(keep: [], remove: [])
        for backup in ordered {
            if let why = reasons[backup.id] {
                decision.keep.append(.init(id: backup.id, reasons: why))
            } else {
                decision.remove.append(backup.id)
            }
        }
        return decision
    }
}

/// One rule of a retention policy.
public enum RetentionRule: String, Codable, Sendable, CaseIterable {
    case last, hourly, daily, weekly, monthly, yearly

    /// The period `date` falls in, as calendar fields; two backups in one period share a bucket.
    func bucket(of date: Date, index: Int, calendar: Calendar) -> [Int] {
        func fields(_ components: Set<Calendar.Component>, _ order: [Calendar.Component]) -> [Int] {
            let values = calendar.dateComponents(components, from: date)
            return order.map { values.value(for: $0) ?? 0 }
        }
        switch self {
        case .last: return [index]
        case .hourly: return fields([.year, .month, .day, .hour], [.year, .month, .day, .hour])
        case .daily: return fields([.year, .month, .day], [.year, .month, .day])
        // The week-numbering year, so the days of a week that straddles New Year share one bucket.
        case .weekly: return fields([.yearForWeekOfYear, .weekOfYear], [.yearForWeekOfYear, .weekOfYear])
        case .monthly: return fields([.year, .month], [.year, .month])
        case .yearly: return fields([.year], [.year])
        }
    }
}

/// What a policy keeps, newest first, and what it removes.
public struct RetentionDecision<ID: Hashable & Sendable>: Sendable {
    public var keep: [Kept]
    public var remove: [ID]

    public struct Kept: Sendable {
        public var id: ID
        /// The rules that keep it (empty when the policy is empty and keeps everything).
        public var reasons: [RetentionRule]
    }
}

extension RetentionDecision.Kept: Equatable where ID: Equatable {}
extension RetentionDecision: Equatable where ID: Equatable {}
