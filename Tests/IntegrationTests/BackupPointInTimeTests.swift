import Foundation
import JoistTestTraits
import JoistTesting
import Testing

/// A backup of a guest that writes all the time equals a disk snapshot taken in the same QEMU
/// transaction (`joist backup create --snapshot`): the backup is one point in time, and that point
/// is the snapshot's.
@Suite("Backups at one point in time (real QEMU)", .bootsGuests(1), .serialized, .timeLimit(.minutes(15)))
struct BackupPointInTimeTests {
    @Test("a guest writing numbered blocks with direct I/O through its backup: the restored backup equals the snapshot taken with it")
    func backupEqualsSnapshot() async throws {
        let guest = try await TestGuest.locate()
        try await DaemonHarness.with { joist in
            let disk = try await joist.createGuest("vm", guest: guest, volume: "live", size: "64MiB")
            let console = try await joist.startWithConsole("vm")
            defer { Task { await console.close() } }
            // Block i (4 KiB, at i mod 16384) holds "BLOCK i"; every 100 blocks the guest says how far it is.
            console.send(
                "i=0; while true; do echo BLOCK$i | dd of=/dev/vda bs=4096 seek=$((i % 16384)) oflag=direct conv=notrunc,sync 2>/dev/null; "
                    + "i=$((i+1)); [ $((i % 100)) = 0 ] && echo AT$i; done &\n")
            #expect(await console.waitFor("AT100"), "\(console.output)")

            let created = try await joist.succeed(["backup", "create", "vm", "--snapshot", "at-backup"])
            #expect(created.contains("snapshot at-backup"), "\(created)")
            // The guest kept writing after the backup's moment.
            let written = Self.progress(in: console.output)
            #expect(await console.waitFor("AT\(written + 200)"), "\(console.output)")
            try await joist.succeed(["stop", "vm", "--force"])
            #expect(try await joist.waitForState("vm", "stopped"))

            let snapshots = try await joist.succeed(["snapshot", "list", "vm", "--format", "json"])
            #expect(snapshots.contains("at-backup"), "the snapshot is recorded like any other: \(snapshots)")
            let id = try #require(try await joist.backups(of: "vm").first?["id"] as? String)
            try await joist.succeed(["backup", "restore", "vm", id, "--as", "copy"])
            let snapshot = joist.stateDirectory + "/at-backup.raw"
            try await HostTool.run("qemu-img", ["convert", "-f", "qcow2", "-O", "raw", "-l", "snapshot.name=at-backup", disk, snapshot])
            try await HostTool.run("qemu-img", ["compare", "-f", "raw", "-F", "qcow2", snapshot, joist.volumeImage("copy-live")])
            let differs = try await CommandRunner.run("/usr/bin/qemu-img", ["compare", "-f", "raw", "-F", "qcow2", snapshot, disk])
            #expect(differs.status == 1, "the guest wrote after the snapshot, so the disk differs from it: \(differs)")
            // The snapshot holds blocks the guest wrote before the backup.
            let head = try #require(FileHandle(forReadingAtPath: snapshot)).readData(ofLength: 16)
            #expect(String(decoding: head, as: UTF8.self).hasPrefix("BLOCK"), "\(head)")
        }
    }

    @Test("a snapshot name already taken is refused before anything is backed up")
    func takenSnapshotName() async throws {
        let guest = try await TestGuest.locate()
        try await DaemonHarness.with { joist in
            try await joist.createGuest("vm", guest: guest, volume: "data", size: "16MiB")
            try await joist.succeed(["snapshot", "create", "vm", "taken"])
            let refused = try await joist.cli(["backup", "create", "vm", "--snapshot", "taken"])
            #expect(!refused.succeeded && refused.stderr.contains("already has a snapshot named taken"), "\(refused)")
            #expect(try await joist.backups(of: "vm").isEmpty)
            let bad = try await joist.cli(["backup", "create", "vm", "--snapshot", "no/slash"])
            #expect(!bad.succeeded, "\(bad)")
            // A stopped instance: the snapshot is taken through the storage daemon with the backup.
            try await joist.succeed(["backup", "create", "vm", "--snapshot", "stopped-point"])
            let tags = try await SnapshotTests.tags(joist.volumeImage("data"))
            #expect(tags == ["taken", "stopped-point"], "\(tags)")
        }
    }

    /// The highest `ATn` the guest printed.
    static func progress(in output: String) -> Int {
        output.matches(of: /AT([0-9]+)\s/).compactMap { Int($0.1) }.max() ?? 0
    }
}
