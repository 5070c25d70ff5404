import Backup
import Foundation
import JoistCore
import Testing

@Suite("Backup schedules")
struct BackupScheduleTests {
    static let start = Date(timeIntervalSince1970: 1_795_132_800)  // 2026-11-20T00:00:00Z

    static func daily(keep: RetentionPolicy = RetentionPolicy(keepLast: 3)) throws -> BackupSchedule {
        try BackupSchedule(every: SnapshotInterval(parsing: "1d"), store: "default", keep: keep, since: start)
    }

    @Test("with no backup in the store, one is due at once; then one interval after the newest backup, whoever made it")
    func due() throws {
        let schedule = try Self.daily()
        #expect(schedule.isDue(at: Self.start, newestBackup: nil))
        let made = Self.start.addingTimeInterval(30)
        #expect(schedule.nextDue(newestBackup: made) == made.addingTimeInterval(86_400))
        #expect(!schedule.isDue(at: made.addingTimeInterval(86_399), newestBackup: made))
        #expect(schedule.isDue(at: made.addingTimeInterval(86_400), newestBackup: made))
        // A backup made by hand moves the next scheduled one back.
        let byHand = made.addingTimeInterval(43_200)
        #expect(!schedule.isDue(at: made.addingTimeInterval(86_400), newestBackup: byHand))
        // A daemon back after a week owes one backup, and after it none until a day later.
        let late = made.addingTimeInterval(7 * 86_400)
        #expect(schedule.isDue(at: late, newestBackup: made))
        #expect(!schedule.isDue(at: late.addingTimeInterval(60), newestBackup: late))
    }

    @Test("a fake clock ticking every 10 minutes over three days fires once a day")
    func fakeClock() throws {
        let schedule = try Self.daily()
        var newest: Date?
        var fired: [Date] = []
        var now = Self.start
        while now < Self.start.addingTimeInterval(3 * 86_400) {
            if schedule.isDue(at: now, newestBackup: newest) {
                fired.append(now)
                newest = now
            }
            now = now.addingTimeInterval(600)
        }
        #expect(fired == [0, 1, 2].map { Self.start.addingTimeInterval(Double($0) * 86_400) })
    }

    @Test("a failed attempt is retried after one interval, at most 15 minutes", arguments: [("1m", 60.0), ("10m", 600.0), ("1h", 900.0), ("1d", 900.0)])
    func retry(every: String, delay: TimeInterval) throws {
        let schedule = try BackupSchedule(every: SnapshotInterval(parsing: every), store: "default", since: Self.start)
        #expect(schedule.retryDelay == delay)
        let failed = Self.start.addingTimeInterval(5)
        #expect(!schedule.isDue(at: failed.addingTimeInterval(delay - 1), newestBackup: nil, lastFailure: failed))
        #expect(schedule.isDue(at: failed.addingTimeInterval(delay), newestBackup: nil, lastFailure: failed))
        // A failure long past does not hold back, nor bring forward, the next backup.
        let longAgo = Self.start.addingTimeInterval(-86_400)
        #expect(schedule.nextDue(newestBackup: Self.start, lastFailure: longAgo) == Self.start.addingTimeInterval(TimeInterval(schedule.every.seconds)))
    }

    @Test("bad store names and negative keep counts are refused")
    func validation() throws {
        let daily = try SnapshotInterval(parsing: "1d")
        #expect(throws: JoistError.self) { try BackupSchedule(every: daily, store: "../etc", since: Self.start) }
        #expect(throws: JoistError.self) { try BackupSchedule(every: daily, store: "default", keep: RetentionPolicy(keepDaily: -1), since: Self.start) }
        #expect(throws: Never.self) { try BackupSchedule(every: daily, store: "default", since: Self.start) }
    }

    @Test("a schedule survives a round trip through JSON, as the instance record stores it")
    func coding() throws {
        let schedule = try Self.daily(keep: RetentionPolicy(keepDaily: 7, keepWeekly: 4))
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        #expect(try decoder.decode(BackupSchedule.self, from: encoder.encode(schedule)) == schedule)
    }

    @Test("a backup id carries its creation time to the second; ids of other forms carry none")
    func idDates() throws {
        let date = Date(timeIntervalSince1970: 1_795_178_096)  // 2026-11-20T12:34:56Z
        #expect(BackupID(date: date).date == date)
        #expect(BackupID(date: date.addingTimeInterval(0.7)).date == date)
        for other in ["backup-1", "20261320T000000Z-000000", "2026112xT000000Z-0", "20261120T000000"] {
            #expect(try BackupID(other).date == nil, "\(other)")
        }
    }
}
