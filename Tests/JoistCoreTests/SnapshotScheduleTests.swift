import Foundation
import JoistCore
import Testing

@Suite("Snapshot schedules")
struct SnapshotScheduleTests {
    static let start = Date(timeIntervalSince1970: 1_760_000_000)

    @Test("intervals parse in minutes, hours, days and weeks", arguments: [
        ("1m", 60, "1m"), ("90m", 5_400, "90m"), ("60m", 3_600, "1h"), ("1h", 3_600, "1h"), ("24h", 86_400, "1d"), ("2d", 172_800, "2d"),
        ("1w", 604_800, "1w"), (" 3H ", 10_800, "3h"),
    ])
    func intervals(text: String, seconds: Int64, description: String) throws {
        let interval = try SnapshotInterval(parsing: text)
        #expect(interval.seconds == seconds)
        #expect(interval.description == description)
    }

    @Test("bad intervals are refused", arguments: ["", "h", "1", "0h", "-1h", "1.5h", "30s", "1y", "100000w"])
    func badIntervals(text: String) {
        #expect(throws: JoistError.self) { try SnapshotInterval(parsing: text) }
    }

    @Test("the first snapshot is due one interval after the schedule was set, then one after the last")
    func due() throws {
        let schedule = try SnapshotSchedule(every: SnapshotInterval(parsing: "1h"), keep: 3, since: Self.start)
        #expect(!schedule.isDue(at: Self.start.addingTimeInterval(3_599), lastScheduled: nil))
        #expect(schedule.isDue(at: Self.start.addingTimeInterval(3_600), lastScheduled: nil))
        let last = Self.start.addingTimeInterval(3_610)
        #expect(schedule.nextDue(lastScheduled: last) == last.addingTimeInterval(3_600))
        #expect(!schedule.isDue(at: last.addingTimeInterval(60), lastScheduled: last))
        // A daemon back after a day owes one snapshot, not 24.
        let late = last.addingTimeInterval(86_400)
        #expect(schedule.isDue(at: late, lastScheduled: last))
        #expect(!schedule.isDue(at: late, lastScheduled: late))
        // Snapshots older than the schedule (a previous one) do not make the new one fire at once.
        #expect(schedule.nextDue(lastScheduled: Self.start.addingTimeInterval(-86_400)) == Self.start.addingTimeInterval(3_600))
    }

    @Test("pruning deletes the oldest beyond keep, whatever order they come in")
    func prune() throws {
        let schedule = try SnapshotSchedule(every: SnapshotInterval(parsing: "1h"), keep: 2, since: Self.start)
        let taken = [("c", 3), ("a", 1), ("d", 4), ("b", 2)].map { ($0.0, Self.start.addingTimeInterval(Double($0.1) * 3_600)) }
        #expect(schedule.prune(taken) == ["a", "b"])
        #expect(schedule.prune(Array(taken.prefix(2))).isEmpty)
        #expect(schedule.prune([]).isEmpty)
    }

    @Test("keep must be between 1 and 1000")
    func keepBounds() throws {
        let hourly = try SnapshotInterval(parsing: "1h")
        #expect(throws: JoistError.self) { try SnapshotSchedule(every: hourly, keep: 0, since: Self.start) }
        #expect(throws: JoistError.self) { try SnapshotSchedule(every: hourly, keep: 1_001, since: Self.start) }
    }

    @Test("scheduled snapshots are named auto- and their UTC time, a valid name")
    func names() throws {
        let name = SnapshotSchedule.snapshotName(at: Date(timeIntervalSince1970: 1_760_000_000))
        #expect(name == "auto-20251009-085320")
        #expect(try ResourceName.validate(name, kind: "snapshot") == name)
    }
}
