import Backup
import Foundation
import JoistTestTraits
import JoistTesting
import Testing

/// `kill -9` of joistd in the middle of a backup, then a restart: the store stays consistent, the
/// leftovers are settled, the operation shows as failed, and the next backup is incremental from the
/// last successful one (never from the interrupted one's checkpoint) and restores equal to the disk.
///
/// The interrupted backup is an incremental one after the whole disk changed (random data, so it
/// is slow to hash and compress): the test waits until it has read something, then kills the daemon.
@Suite("Backups interrupted by a daemon crash (real QEMU)", .bootsGuests(1), .serialized, .timeLimit(.minutes(15)))
struct BackupCrashTests {
    static let diskMiB = 512

    @Test("a stopped instance: the storage daemon is stopped, the change record merged back, and the next backup reads every change")
    func stoppedInstance() async throws {
        let guest = try await TestGuest.locate()
        try await DaemonHarness.with { joist in
            let disk = try await joist.createGuest("vm", guest: guest, volume: "data", size: "\(Self.diskMiB)MiB")
            let first = try await Self.firstBackupThenChangeAll(joist, disk)
            try await Self.interruptBackup(joist)
            try await Self.checkSettled(joist, disk, first: first)
            // The images' locks are free again: the guest's own tools may write.
            try await HostTool.run("qemu-io", ["-f", "qcow2", "-c", "write -P 0xcc 0 64k", disk])
            try await Self.checkNextBackups(joist, disk, first: first)
        }
    }

    @Test("a running guest: the view in its QEMU is taken down, the change record merged back, and the next backups work")
    func runningGuest() async throws {
        let guest = try await TestGuest.locate()
        try await DaemonHarness.with { joist in
            let disk = try await joist.createGuest("vm", guest: guest, volume: "data", size: "\(Self.diskMiB)MiB")
            let first = try await Self.firstBackupThenChangeAll(joist, disk)
            // The console goes with the daemon: write to it only through one opened after the restart.
            await (try await joist.startWithConsole("vm")).close()
            try await Self.interruptBackup(joist)
            #expect(try await joist.state("vm") == "running")
            try await Self.checkSettled(joist, disk, first: first)
            let console = try ConsoleProcess(harness: joist, instance: "vm")
            defer { Task { await console.close() } }
            try await Self.checkNextBackups(joist, disk, first: first, console: console)
        }
    }

    /// A full backup of the empty disk (quick: all zeros), then the whole disk rewritten from the
    /// host; returns the first backup's id.
    static func firstBackupThenChangeAll(_ joist: DaemonHarness, _ disk: String) async throws -> String {
        try await joist.succeed(["backup", "create", "vm"])
        let first = try #require(try await joist.backups(of: "vm").first?["id"] as? String)
        try await HostImage.fillRandom(disk, megabytes: diskMiB)
        return first
    }

    /// Starts a backup (with a snapshot of its moment), waits until it has read something, and kills
    /// joistd; restarts it. Checks the backup was interrupted (not finished) and that its operation
    /// now shows as failed.
    static func interruptBackup(_ joist: DaemonHarness) async throws {
        let operation = try await joist.succeed(["backup", "create", "vm", "--snapshot", "mid-backup", "--async"])
            .trimmingCharacters(in: .whitespacesAndNewlines)
        var seen: [String: Any] = [:]
        let started = try await eventually(timeout: .seconds(120)) {
            seen = try await joist.json(["operation", "show", operation, "--format", "json"])
            return ((seen["progress"] as? [String: Any])?["done"] as? Int ?? 0) > 0 || seen["status"] as? String != "running"
        }
        try #require(started && seen["status"] as? String == "running", "the backup must be under way when joistd is killed: \(seen)")
        await joist.killDaemon()
        try await joist.start()

        let after = try await joist.json(["operation", "show", operation, "--format", "json"])
        #expect(after["status"] as? String == "failed", "\(after)")
        let message = (after["error"] as? [String: Any])?["message"] as? String ?? ""
        #expect(message.contains("interrupted"), "\(after)")
    }

    /// What the restarted daemon must have settled: no storage daemon, no backup folder, only the
    /// first backup, a store that verifies and collects clean, no snapshot, and on the disk the first
    /// backup's change record only.
    static func checkSettled(_ joist: DaemonHarness, _ disk: String, first: String) async throws {
        let folder = joist.stateDirectory + "/instances/vm/backup"
        #expect(!FileManager.default.fileExists(atPath: folder), "the backup folder (sockets, scratch files, note) is gone")
        let daemons = try await CommandRunner.run("/usr/bin/pgrep", ["-f", "qemu-storage-daemon.*" + folder])
        #expect(daemons.stdout.isEmpty, "no storage daemon is left: \(daemons)")
        #expect(try await joist.backups(of: "vm").map { $0["id"] as? String } == [first])

        try await joist.succeed(["backup-store", "gc", "default"])
        let store = try joist.defaultBackupStore()
        let listing = try store.manifests()
        #expect(listing.unreadable.isEmpty)
        let report = try await BackupVerifier(store: store).verify(listing.manifests)
        #expect(report.isClean, "\(report.problems)")
        let temporaries = try FileManager.default.contentsOfDirectory(atPath: store.layout.temporaryFolder)
        #expect(temporaries.isEmpty, "\(temporaries)")

        // The snapshot belonged to a backup that does not exist: it is gone from the disk and the list.
        #expect(try await SnapshotTests.tags(disk).isEmpty)
        #expect(try await SnapshotTests.snapshots(joist, "vm").isEmpty)

        let bitmaps = try await HostImage.bitmaps(disk)
        #expect(bitmaps.keys.sorted() == ["joist-" + first], "only the first backup's change record is left: \(bitmaps)")
        #expect(bitmaps["joist-" + first]?.contains("auto") == true, "and it records again: \(bitmaps)")
    }

    /// The next backup counts from the first one and reads the whole change; it restores equal to the
    /// disk, and one more small change makes a one-chunk incremental.
    static func checkNextBackups(_ joist: DaemonHarness, _ disk: String, first: String, console: ConsoleProcess? = nil) async throws {
        let next = try await joist.succeed(["backup", "create", "vm"])
        #expect(next.contains("as incremental backup"), "\(next)")
        var backups = try await joist.backups(of: "vm")
        try #require(backups.count == 2, "\(backups)")
        #expect(backups[1]["parent"] as? String == first)
        let read = BackupJSON.stat(try BackupJSON.disk(backups[1], "data"), "bytesRead")
        #expect(read == diskMiB << 20, "every block changed since the first backup is read: \(backups[1])")

        if let console {
            console.send("dd if=/dev/urandom of=/dev/vda bs=64k count=1 seek=100 conv=fsync 2>/dev/null; echo W$((40+2))\n")
            #expect(await console.waitFor("W42"), "\(console.output)")
        } else {
            try await HostTool.run("qemu-io", ["-f", "qcow2", "-c", "write -P 0xdd 8M 64k", disk])
        }
        let third = try await joist.succeed(["backup", "create", "vm"])
        #expect(third.contains("as incremental backup"), "\(third)")
        backups = try await joist.backups(of: "vm")
        #expect(BackupJSON.stat(try BackupJSON.disk(backups[2], "data"), "bytesRead") == 4 << 20, "\(backups[2])")

        if console != nil {
            try await joist.succeed(["stop", "vm", "--force"])
            #expect(try await joist.waitForState("vm", "stopped"))
        }
        let restored = joist.stateDirectory + "/restored.raw"
        try await joist.restore("vm", backup: try #require(backups[2]["id"] as? String), disk: "data", to: restored)
        try await HostTool.run("qemu-img", ["compare", "-f", "raw", "-F", "qcow2", restored, disk])
    }
}
