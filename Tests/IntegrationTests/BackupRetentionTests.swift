import Backup
import Foundation
import JoistTesting
import Testing

/// `joist backup delete|prune|schedule` end to end: a real joistd, a stopped instance's qcow2 volume
/// backed up through qemu-storage-daemon and NBD into the default store, backups removed by id and by
/// retention rules, and the daemon's own scheduler making and pruning backups.
@Suite("Backup retention and schedules (real daemon)", .serialized, .timeLimit(.minutes(5)))
struct BackupRetentionTests {
    @Test("an incremental chain loses its middle and oldest backups (delete, then prune); after gc the newest verifies and restores equal to the disk")
    func deleteAndPrune() async throws {
        let guest = try await TestGuest.locate()
        try await DaemonHarness.with { joist in
            let disk = try await joist.createGuest("vm5", guest: guest, volume: "data", size: "16MiB")
            // Four backups, each after a change in another 4 MiB chunk: full, then three incremental.
            // A pattern of its own in each chunk, so no two chunks deduplicate into one.
            for chunk in 0..<4 { try await HostTool.run("qemu-io", ["-f", "qcow2", "-c", "write -P 0xa\(chunk) \(chunk * 4)M 4M", disk]) }
            for (pattern, offset) in [("", ""), ("0xb1", "4M"), ("0xb2", "8M"), ("0xb3", "12M")] {
                if !pattern.isEmpty { try await HostTool.run("qemu-io", ["-f", "qcow2", "-c", "write -P \(pattern) \(offset) 64k", disk]) }
                try await joist.succeed(["backup", "create", "vm5"])
            }
            let ids = try await Self.ids(joist, "vm5")
            try #require(ids.count == 4, "\(ids)")
            let backups = try await joist.backups(of: "vm5")
            #expect(backups.dropFirst().allSatisfy { $0["kind"] as? String == "incremental" }, "\(backups)")

            // The middle of the chain goes by id; the rest still restore on their own.
            let deleted = try await joist.succeed(["backup", "delete", "vm5", ids[1]])
            #expect(deleted.contains("Deleted backup \(ids[1])"), "\(deleted)")
            #expect(try await Self.ids(joist, "vm5") == [ids[0], ids[2], ids[3]])
            let again = try await joist.cli(["backup", "delete", "vm5", ids[1]])
            #expect(!again.succeeded && again.stderr.contains("not found"), "\(again)")

            // No keep rule: refused by the CLI and by the API alike, removing nothing.
            let noRule = try await joist.cli(["backup", "prune", "vm5"])
            #expect(!noRule.succeeded && noRule.stderr.contains("--keep-last"), "\(noRule)")
            let raw = try await CommandRunner.run(
                "/usr/bin/curl",
                ["-s", "-w", " HTTP %{http_code}", "--unix-socket", joist.socketPath, "-X", "POST", "-H", "Content-Type: application/json", "-d", "{}", "http://joist/1.0/instances/vm5/backups/prune"])
            #expect(raw.stdout.contains("keep rule") && raw.stdout.hasSuffix("HTTP 400"), "\(raw)")
            #expect(try await Self.ids(joist, "vm5").count == 3)

            // A dry run says what would go and removes nothing.
            let dry = try await joist.succeed(["backup", "prune", "vm5", "--keep-last", "1", "--dry-run"])
            #expect(dry.contains("Dry run: would remove 2 and kept 1"), "\(dry)")
            #expect(try await Self.ids(joist, "vm5").count == 3)

            let pruned = try await joist.succeed(["backup", "prune", "vm5", "--keep-last", "1", "--format", "json"])
            let result = try #require(try JSONSerialization.jsonObject(with: Data(pruned.utf8)) as? [String: Any])
            let kept = try #require(result["kept"] as? [[String: Any]])
            #expect(kept.map { $0["id"] as? String } == [ids[3]])
            #expect(kept.first?["keptBy"] as? [String] == ["last"])
            #expect((result["removed"] as? [[String: Any]])?.map { $0["id"] as? String } == [ids[0], ids[2]])
            #expect(try await Self.ids(joist, "vm5") == [ids[3]])

            let gc = try await joist.succeed(["backup-store", "gc"])
            #expect(gc.contains("Removed 3 chunk(s)"), "the first versions of the three chunks changed since go: \(gc)")
            let verified = try await joist.succeed(["backup", "verify", "vm5", ids[3]])
            #expect(verified.contains("is intact"), "\(verified)")
            try await joist.succeed(["backup", "restore", "vm5", ids[3], "--as", "vm5-copy"])
            let copy = joist.stateDirectory + "/storage/default/volumes/default/vm5-copy-data.qcow2"
            try await HostTool.run("qemu-img", ["compare", "-f", "qcow2", "-F", "qcow2", copy, disk])
        }
    }

    @Test("a schedule on a stopped instance: the scheduler backs it up when its newest backup is an interval old and prunes by the schedule's rules, as an operation")
    func schedule() async throws {
        let guest = try await TestGuest.locate()
        try await DaemonHarness.with { joist in
            let disk = try await joist.createGuest("vm6", guest: guest, volume: "sched", size: "8MiB")
            try await HostTool.run("qemu-io", ["-f", "qcow2", "-c", "write -P 0xaa 0 8M", disk])
            try await joist.succeed(["backup", "create", "vm6"])

            // Made two days ago, as far as the store can tell: the schedule owes a backup at once.
            let store = try joist.defaultBackupStore()
            let made = try BackupID(try #require(try await Self.ids(joist, "vm6").first))
            var old = try store.manifest(project: "default", instance: "vm6", id: made)
            old.createdAt = Date().addingTimeInterval(-2 * 86_400)
            old.id = BackupID(date: old.createdAt)
            try store.save(old)
            try store.deleteManifest(project: "default", instance: "vm6", id: made)

            let none = try await joist.cli(["backup", "schedule", "vm6"])
            #expect(!none.succeeded && none.stderr.contains("no backup schedule"), "\(none)")
            let set = try await joist.succeed(["backup", "schedule", "vm6", "--every", "1d", "--keep-last", "1"])
            #expect(set.contains("a backup into store default every 1d, keeping last 1"), "\(set)")
            try await HostTool.run("qemu-io", ["-f", "qcow2", "-c", "write -P 0xbb 0 64k", disk])

            // The scheduler checks every few seconds; the old backup is pruned once the new one is made.
            var ids: [String] = []
            for _ in 0..<240 {
                ids = try await Self.ids(joist, "vm6")
                if ids.count == 1, ids[0] != old.id.value { break }
                try await Task.sleep(for: .milliseconds(250))
            }
            try #require(ids.count == 1 && ids[0] != old.id.value, "\(ids)\n\(joist.daemonLog())")
            let backups = try await joist.backups(of: "vm6")
            #expect(backups.first?["kind"] as? String == "incremental", "read only what changed since the old backup: \(backups)")

            let operations = try JSONSerialization.jsonObject(with: Data(try await joist.succeed(["operation", "list", "--format", "json"]).utf8))
            let scheduled = (operations as? [[String: Any]] ?? []).first { $0["action"] as? String == "instance.backup-scheduled" }
            #expect(scheduled?["status"] as? String == "succeeded", "\(operations)")
            let result = scheduled?["result"] as? [String: String]
            #expect(result?["backup"] == ids[0] && result?["pruned"] == old.id.value, "\(String(describing: result))")

            // The next one is due a day after the new backup.
            let shown = try await joist.succeed(["backup", "schedule", "vm6"])
            #expect(shown.contains("next at"), "\(shown)")
            let next = try await joist.json(["backup", "info", "vm6", ids[0], "--format", "json"])
            #expect(next["id"] as? String == ids[0])

            let disabled = try await joist.succeed(["backup", "schedule", "vm6", "--disable"])
            #expect(disabled.contains("Removed the backup schedule"), "\(disabled)")
            #expect(try await !joist.cli(["backup", "schedule", "vm6"]).succeeded)
            #expect(try await Self.ids(joist, "vm6") == ids, "disabling the schedule keeps its backups")
        }
    }

    static func ids(_ joist: DaemonHarness, _ instance: String) async throws -> [String] {
        try await joist.backups(of: instance).compactMap { $0["id"] as? String }
    }
}
