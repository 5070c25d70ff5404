import Foundation
import JoistAPI
import Testing

@testable import CLI

@Suite("joist backup prune, delete and schedule")
struct BackupRetentionCommandTests {
    static let date = Date(timeIntervalSince1970: 1_795_132_800)

    @Test("prune refuses to run without a keep rule, with a negative one, or with --gc on a dry run")
    func pruneValidation() {
        for arguments in [["vm1"], ["vm1", "--keep-last", "0"], ["vm1", "--keep-daily", "-1"], ["vm1", "--keep-last", "2", "--dry-run", "--gc"]] {
            #expect(throws: (any Error).self, "\(arguments)") { try BackupCommand.Prune.parse(arguments) }
        }
        #expect(throws: Never.self) { try BackupCommand.Prune.parse(["vm1", "--keep-daily", "7", "--keep-weekly", "4", "--store", "offsite"]) }
        do {
            _ = try BackupCommand.Prune.parse(["vm1"])
            Issue.record("a prune without keep rules parsed")
        } catch {
            let message = BackupCommand.Prune.message(for: error)
            #expect(message.contains("--keep-last") && message.contains("removes every backup"), "\(message)")
        }
    }

    @Test("the prune table lists kept backups with their rules, then removed ones, and a summary")
    func pruneTable() throws {
        let result = InstanceBackupPruneResult(
            instance: "vm1", store: "default", dryRun: true,
            kept: [InstanceBackupPruneEntry(id: "20261120T000000Z-000002", createdAt: Self.date, keptBy: ["last", "daily"])],
            removed: [InstanceBackupPruneEntry(id: "20261119T000000Z-000001", createdAt: Self.date)])
        let table = try BackupCommand.Prune.render(result, keep: BackupKeep(last: 1, daily: 7), as: .table)
        #expect(table.contains("keep") && table.contains("last,daily"), "\(table)")
        #expect(table.contains("would remove") && table.contains("20261119T000000Z-000001"), "\(table)")
        #expect(table.contains("Dry run: would remove 1 and kept 1 backup(s) of vm1 in backup store default (keep last 1, daily 7)"), "\(table)")
        let json = try BackupCommand.Prune.render(result, keep: BackupKeep(last: 1), as: .json)
        #expect(json.contains("keptBy"), "\(json)")
    }

    @Test("schedule takes --store and --keep only with --every, nothing with --disable, and checks the interval")
    func scheduleValidation() {
        for arguments in [
            ["vm1", "--keep-last", "3"], ["vm1", "--store", "offsite"], ["vm1", "--disable", "--every", "1d"], ["vm1", "--every", "10s"],
            ["vm1", "--every", "1d", "--store", "../x"],
        ] {
            #expect(throws: (any Error).self, "\(arguments)") { try BackupCommand.Schedule.parse(arguments) }
        }
        #expect(throws: Never.self) { try BackupCommand.Schedule.parse(["vm1", "--every", "1d", "--keep-daily", "7"]) }
        #expect(throws: Never.self) { try BackupCommand.Schedule.parse(["vm1"]) }
        #expect(throws: Never.self) { try BackupCommand.Schedule.parse(["vm1", "--disable"]) }
    }

    @Test("a schedule is described with its store, rules and next time")
    func describe() {
        let info = BackupScheduleInfo(every: "1d", store: "offsite", keep: BackupKeep(daily: 7, weekly: 4), since: Self.date, nextAt: Self.date)
        #expect(
            BackupCommand.Schedule.describe(info, of: "vm1")
                == "Instance vm1: a backup into store offsite every 1d, keeping daily 7, weekly 4; next at 2026-11-20T00:00:00Z")
        let all = BackupScheduleInfo(every: "6h", store: "default", keep: BackupKeep(), since: Self.date, nextAt: Self.date)
        #expect(BackupCommand.Schedule.describe(all, of: "vm1").contains("keeping everything"))
    }
}
