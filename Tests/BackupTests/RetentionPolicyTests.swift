import Backup
import Foundation
import Testing

@Suite("Retention policies")
struct RetentionPolicyTests {
    /// UTC, weeks starting on Monday (ISO 8601).
    static var utc: Calendar {
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }

    static func date(_ text: String) -> Date {
        try! Date(text, strategy: .iso8601)
    }

    /// Backups named by their time, e.g. "2026-11-20T10:00:00Z".
    static func backups(_ times: [String]) -> [(id: String, date: Date)] {
        times.map { ($0, date($0)) }
    }

    static func kept(_ policy: RetentionPolicy, _ times: [String], calendar: Calendar = utc) -> [String] {
        policy.apply(to: backups(times), calendar: calendar).keep.map(\.id)
    }

    static let hourlyForThreeDays: [String] = (0..<72).map { hour in
        let date = Date(timeIntervalSince1970: 1_795_132_800 + Double(hour) * 3600)  // 2026-11-20T00:00:00Z
        return date.formatted(.iso8601)
    }

    @Test("keep-last keeps the newest N")
    func keepLast() {
        let times = ["2026-11-20T10:00:00Z", "2026-11-20T12:00:00Z", "2026-11-20T11:00:00Z", "2026-11-19T10:00:00Z"]
        #expect(Self.kept(RetentionPolicy(keepLast: 2), times) == ["2026-11-20T12:00:00Z", "2026-11-20T11:00:00Z"])
        let decision = RetentionPolicy(keepLast: 2).apply(to: Self.backups(times), calendar: Self.utc)
        #expect(decision.remove == ["2026-11-20T10:00:00Z", "2026-11-19T10:00:00Z"])
    }

    @Test("keep-daily keeps the newest backup of each of the last N days that have backups")
    func keepDaily() {
        #expect(
            Self.kept(RetentionPolicy(keepDaily: 2), Self.hourlyForThreeDays) == ["2026-11-22T23:00:00Z", "2026-11-21T23:00:00Z"])
        // Days without backups do not count.
        let sparse = ["2026-11-01T08:00:00Z", "2026-11-05T08:00:00Z", "2026-11-05T09:00:00Z", "2026-11-20T08:00:00Z"]
        #expect(Self.kept(RetentionPolicy(keepDaily: 3), sparse) == ["2026-11-20T08:00:00Z", "2026-11-05T09:00:00Z", "2026-11-01T08:00:00Z"])
    }

    @Test("days follow the calendar's time zone")
    func timeZones() {
        var tokyo = Self.utc
        tokyo.timeZone = TimeZone(identifier: "Asia/Tokyo")!
        // 14:00Z and 16:00Z are one UTC day, but 23:00 and 01:00 of two days in Tokyo.
        let times = ["2026-11-20T14:00:00Z", "2026-11-20T16:00:00Z"]
        #expect(Self.kept(RetentionPolicy(keepDaily: 5), times) == ["2026-11-20T16:00:00Z"])
        #expect(Self.kept(RetentionPolicy(keepDaily: 5), times, calendar: tokyo) == ["2026-11-20T16:00:00Z", "2026-11-20T14:00:00Z"])
    }

    @Test("weeks start on the calendar's first weekday, and a week across New Year is one week")
    func weeks() {
        // 2026-12-31 is a Thursday and 2027-01-03 a Sunday: one ISO week (2026-W53).
        let times = ["2026-12-28T09:00:00Z", "2026-12-31T09:00:00Z", "2027-01-03T09:00:00Z", "2027-01-04T09:00:00Z"]
        #expect(Self.kept(RetentionPolicy(keepWeekly: 5), times) == ["2027-01-04T09:00:00Z", "2027-01-03T09:00:00Z"])
        var sundays = Calendar(identifier: .gregorian)
        sundays.timeZone = TimeZone(identifier: "UTC")!
        sundays.firstWeekday = 1
        // With weeks from Sunday, Sunday 2027-01-03 starts a new week together with Monday the 4th.
        #expect(Self.kept(RetentionPolicy(keepWeekly: 5), times, calendar: sundays) == ["2027-01-04T09:00:00Z", "2026-12-31T09:00:00Z"])
    }

    @Test("monthly and yearly keep the newest of each month and year")
    func monthlyYearly() {
        let times = [
            "2025-06-01T00:00:00Z", "2025-12-31T23:00:00Z", "2026-01-15T00:00:00Z", "2026-01-31T00:00:00Z", "2026-02-01T00:00:00Z",
        ]
        #expect(Self.kept(RetentionPolicy(keepMonthly: 3), times) == ["2026-02-01T00:00:00Z", "2026-01-31T00:00:00Z", "2025-12-31T23:00:00Z"])
        #expect(Self.kept(RetentionPolicy(keepYearly: 5), times) == ["2026-02-01T00:00:00Z", "2025-12-31T23:00:00Z"])
    }

    @Test("rules apply independently and a backup kept by several lists every reason")
    func combined() {
        let policy = RetentionPolicy(keepLast: 3, keepDaily: 3, keepWeekly: 1)
        let decision = policy.apply(to: Self.backups(Self.hourlyForThreeDays), calendar: Self.utc)
        #expect(decision.keep.map(\.id) == [
            "2026-11-22T23:00:00Z", "2026-11-22T22:00:00Z", "2026-11-22T21:00:00Z", "2026-11-21T23:00:00Z", "2026-11-20T23:00:00Z",
        ])
        #expect(decision.keep[0].reasons == [.last, .daily, .weekly])
        #expect(decision.keep[3].reasons == [.daily])
        #expect(decision.remove.count == 72 - 5)
        #expect(Set(decision.remove).isDisjoint(with: decision.keep.map(\.id)))
    }

    @Test("hourly buckets")
    func hourly() {
        let times = ["2026-11-20T10:05:00Z", "2026-11-20T10:55:00Z", "2026-11-20T11:00:00Z", "2026-11-20T13:30:00Z"]
        #expect(Self.kept(RetentionPolicy(keepHourly: 3), times) == ["2026-11-20T13:30:00Z", "2026-11-20T11:00:00Z", "2026-11-20T10:55:00Z"])
    }

    @Test("an empty policy keeps everything, and counts must not be negative")
    func emptyAndInvalid() throws {
        let decision = RetentionPolicy().apply(to: Self.backups(Self.hourlyForThreeDays), calendar: Self.utc)
        #expect(decision.remove.isEmpty)
        #expect(decision.keep.count == 72)
        #expect(RetentionPolicy().isEmpty)
        #expect(throws: (any Error).self) { try RetentionPolicy(keepDaily: -1).validate() }
        try RetentionPolicy(keepLast: 1).validate()
    }

    @Test("fewer backups than a rule asks for keeps them all; no backups keeps none")
    func small() {
        #expect(Self.kept(RetentionPolicy(keepLast: 10), ["2026-11-20T10:00:00Z"]) == ["2026-11-20T10:00:00Z"])
        #expect(Self.kept(RetentionPolicy(keepDaily: 10), []) == [])
    }

    @Test("backups at the same time are ordered by id")
    func ties() {
        let same = Self.date("2026-11-20T10:00:00Z")
        let decision = RetentionPolicy(keepLast: 1).apply(to: [(id: "a", date: same), (id: "b", date: same)], calendar: Self.utc)
        #expect(decision.keep.map(\.id) == ["b"])
    }
}
