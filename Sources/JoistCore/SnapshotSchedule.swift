import Foundation

/// An instance's snapshot schedule: a snapshot every `every`, keeping the newest `keep` of those the
/// schedule took. Snapshots users name themselves are never pruned.
public struct SnapshotSchedule: Codable, Sendable, Equatable {
    public var every: SnapshotInterval
    public var keep: Int
    /// Whether scheduled snapshots save RAM and device state too.
    public var stateful: Bool
    /// When the schedule was set: the first snapshot is due one interval later.
    public var since: Date

    /// The most scheduled snapshots kept per instance.
    public static let maximumKeep = 1_000

    public init(every: SnapshotInterval, keep: Int, stateful: Bool = false, since: Date) throws(JoistError) {
        guard (1...Self.maximumKeep).contains(keep) else {
            throw .invalidArgument("keep must be between 1 and \(Self.maximumKeep), not \(keep)")
        }
        self.every = every
        self.keep = keep
        self.stateful = stateful
        self.since = since
    }

    /// When the next snapshot is due: one interval after the newest scheduled snapshot, or after the
    /// schedule was set when there is none. A daemon that was down past that time takes one snapshot
    /// when it is back, not one per missed interval.
    public func nextDue(lastScheduled: Date?) -> Date {
        max(lastScheduled ?? since, since).addingTimeInterval(TimeInterval(every.seconds))
    }

    /// Whether a snapshot is due at `now`.
    public func isDue(at now: Date, lastScheduled: Date?) -> Bool { nextDue(lastScheduled: lastScheduled) <= now }

    /// The scheduled snapshots to delete so that `keep` remain: the oldest first. `scheduled` are
    /// the names and times of the snapshots the schedule took (users' own snapshots are not passed).
    public func prune(_ scheduled: [(name: String, createdAt: Date)]) -> [String] {
        let oldestFirst = scheduled.sorted { ($0.createdAt, $0.name) < ($1.createdAt, $1.name) }
        return oldestFirst.prefix(max(0, oldestFirst.count - keep)).map(\.name)
    }

    /// The name of the snapshot the schedule takes at `date`: `auto-` and the UTC time, a valid
    /// resource name that sorts by time.
    public static func snapshotName(at date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 0) ?? calendar.timeZone
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func two(_ value: Int?) -> String { String(format: "%02d", value ?? 0) }
        return "auto-\(parts.year ?? 0)\(two(parts.month))\(two(parts.day))-\(two(parts.hour))\(two(parts.minute))\(two(parts.second))"
    }
}
