import Backup
import Foundation
import Testing

@Suite("Backup ids")
struct BackupIDTests {
    static let date = Date(timeIntervalSince1970: 1_796_056_527)

    @Test("a backup in the same second as the previous one gets an id that sorts after it, whatever its random suffix")
    func sameSecondSortsAfter() throws {
        for suffix: UInt32 in [0, 0x7f_ffff, 0xff_fffe] {
            let previous = BackupID(date: Self.date, random: suffix)
            for _ in 0..<50 {
                let next = BackupID.next(after: previous, date: Self.date)
                #expect(next > previous, "\(next) after \(previous)")
                #expect(next.value.hasPrefix("20261130T163527Z-"))
            }
        }
    }

    @Test("a later second, no previous backup, or an exhausted suffix: a plain fresh id")
    func otherwiseFresh() throws {
        let previous = BackupID(date: Self.date, random: 0xff_ffff)
        #expect(BackupID.next(after: previous, date: Self.date).value.hasPrefix("20261130T163527Z-"))
        #expect(BackupID.next(after: previous, date: Self.date.addingTimeInterval(1)).value.hasPrefix("20261130T163528Z-"))
        #expect(BackupID.next(after: nil, date: Self.date).value.hasPrefix("20261130T163527Z-"))
    }
}
