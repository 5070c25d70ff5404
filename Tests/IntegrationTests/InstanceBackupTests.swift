import Backup
import Foundation
import JoistTesting
import Testing

/// `joist backup` end to end: a real joistd backs up a stopped instance's qcow2 volume through
/// qemu-storage-daemon and NBD into the default store, full then incremental.
@Suite("Instance backups (real daemon)", .serialized, .timeLimit(.minutes(5)))
struct InstanceBackupTests {
    @Test("a stopped instance: full backup, a small change, an incremental one that reads one chunk; it restores (also as a new instance) equal to the disk and verifies")
    func stoppedFullThenIncremental() async throws {
        let guest = try await TestGuest.locate()
        try await DaemonHarness.with { joist in
            let disk = try await joist.createGuest("vm3", guest: guest, volume: "data", size: "64MiB")
            try await HostTool.run("qemu-io", ["-f", "qcow2", "-c", "write -P 0xaa 0 40M", disk])

            let first = try await joist.succeed(["backup", "create", "vm3"])
            #expect(first.contains("as full backup"), "\(first)")
            try await HostTool.run("qemu-io", ["-f", "qcow2", "-c", "write -P 0xbb 8M 64k", disk])
            let second = try await joist.succeed(["backup", "create", "vm3"])
            #expect(second.contains("as incremental backup"), "\(second)")

            let backups = try await joist.backups(of: "vm3")
            try #require(backups.count == 2, "\(backups)")
            let (full, incremental) = (backups[0], backups[1])
            #expect(incremental["parent"] as? String == full["id"] as? String)
            let fullData = try BackupJSON.disk(full, "data"), incrementalData = try BackupJSON.disk(incremental, "data")
            #expect(fullData["read"] as? String == "full")
            // The 24 MiB never written read as zeros in the image's allocation map: not read at all.
            #expect(BackupJSON.stat(fullData, "bytesRead") == 40 << 20, "\(fullData)")
            #expect(fullData["checkpoint"] as? String == full["id"] as? String)
            // The stopped disk's data came straight from its image file, none of it through NBD.
            #expect(joist.daemonLog().contains("backup \(full["id"] as? String ?? "?") read disk default/data from its image files, 0 bytes through NBD"))
            // One 4 MiB chunk holds the change: only it is read again, the other 15 are the parent's.
            #expect(incrementalData["read"] as? String == "incremental", "\(incrementalData)")
            #expect(BackupJSON.stat(incrementalData, "bytesRead") == 4 << 20, "\(incrementalData)")
            #expect(BackupJSON.stat(incrementalData, "chunksUnchanged") == 15, "\(incrementalData)")

            // The incremental backup alone holds the whole disk as it is now.
            let id = try #require(incremental["id"] as? String)
            let restored = joist.stateDirectory + "/restored.raw"
            try await joist.restore("vm3", backup: id, disk: "data", to: restored)
            try await HostTool.run("qemu-img", ["compare", "-f", "raw", "-F", "qcow2", restored, disk])

            // Restored as a new instance: a stopped copy whose new volume holds the disk as backed up.
            let restoredAs = try await joist.succeed(["backup", "restore", "vm3", id, "--as", "vm3-copy"])
            #expect(restoredAs.contains("as instance vm3-copy"), "\(restoredAs)")
            #expect(try await joist.state("vm3-copy") == "stopped")
            let copy = joist.stateDirectory + "/storage/default/volumes/default/vm3-copy-data.qcow2"
            try await HostTool.run("qemu-img", ["compare", "-f", "qcow2", "-F", "qcow2", copy, disk])
            let taken = try await joist.cli(["backup", "restore", "vm3", id, "--as", "vm3-copy"])
            #expect(!taken.succeeded && taken.stderr.contains("already exists"), "\(taken)")
            try await joist.succeed(["delete", "vm3-copy"])
            #expect(!FileManager.default.fileExists(atPath: copy))

            let info = try await joist.succeed(["backup", "info", "vm3", id, "--format", "json"])
            #expect(info.contains("\"kind\" : \"incremental\"") || info.contains("\"kind\":\"incremental\""), "\(info)")
            let verified = try await joist.succeed(["backup", "verify", "vm3", id])
            #expect(verified.contains("is intact"), "\(verified)")
            #expect(try await joist.cli(["backup", "info", "vm3", "20990101T000000Z-000000"]).stderr.contains("not found"))
        }
    }

    @Test("a snapshot restored after a backup drops the disk's change record: the restore works, and the next backup reads the disk whole")
    func snapshotRestoreAfterBackup() async throws {
        let guest = try await TestGuest.locate()
        try await DaemonHarness.with { joist in
            let disk = try await joist.createGuest("vm4", guest: guest, volume: "data", size: "16MiB")
            try await HostTool.run("qemu-io", ["-f", "qcow2", "-c", "write -P 0xaa 0 4M", disk])
            try await joist.succeed(["snapshot", "create", "vm4", "before"])
            try await joist.succeed(["backup", "create", "vm4"])
            try await HostTool.run("qemu-io", ["-f", "qcow2", "-c", "write -P 0xbb 0 64k", disk])

            try await joist.succeed(["snapshot", "restore", "vm4", "before"])
            let read = try await CommandRunner.run("/usr/bin/qemu-io", ["-f", "qcow2", "-c", "read -P 0xaa 0 64k", disk])
            #expect(read.succeeded && !(read.stdout + read.stderr).contains("Pattern verification failed"), "the snapshot's contents are back: \(read)")
            let next = try await joist.succeed(["backup", "create", "vm4"])
            #expect(next.contains("as full backup") || next.contains("read whole"), "\(next)")
            let backups = try await joist.backups(of: "vm4")
            #expect(try BackupJSON.disk(try #require(backups.last), "data")["read"] as? String == "full", "\(backups)")
        }
    }
}

/// A running test guest backed up while it runs (TCG): the point-in-time view in its own QEMU.
@Suite("Instance backups of a running guest (real QEMU)", .bootsGuests(1), .serialized, .timeLimit(.minutes(15)))
struct RunningInstanceBackupTests {
    @Test("a running guest: full, then incremental after the guest writes; the change record survives its stop, and the last backup equals the disk")
    func runningFullThenIncremental() async throws {
        let guest = try await TestGuest.locate()
        try await DaemonHarness.with { joist in
            let disk = try await joist.createGuest("vm4", guest: guest, volume: "live", size: "64MiB")
            let console = try await joist.startWithConsole("vm4")
            defer { Task { await console.close() } }
            // The marker is computed by the guest's shell, so the echoed command line does not match it.
            console.send("dd if=/dev/urandom of=/dev/vda bs=1M count=24 conv=fsync 2>/dev/null; echo W$((40+2))\n")
            #expect(await console.waitFor("W42"), "\(console.output)")

            let first = try await joist.succeed(["backup", "create", "vm4"])
            #expect(first.contains("as full backup"), "\(first)")
            #expect(try await joist.state("vm4") == "running")
            console.send("dd if=/dev/urandom of=/dev/vda bs=64k count=1 seek=160 conv=fsync 2>/dev/null; echo W$((40+3))\n")
            #expect(await console.waitFor("W43"), "\(console.output)")
            let second = try await joist.succeed(["backup", "create", "vm4"])
            #expect(second.contains("as incremental backup"), "\(second)")

            try await joist.succeed(["stop", "vm4", "--force"])
            #expect(try await joist.waitForState("vm4", "stopped"))
            // Stopped, no writes since: the bitmap QEMU saved on exit says nothing changed.
            let third = try await joist.succeed(["backup", "create", "vm4"])
            #expect(third.contains("as incremental backup"), "\(third)")

            let backups = try await joist.backups(of: "vm4")
            try #require(backups.count == 3, "\(backups)")
            let secondDisk = try BackupJSON.disk(backups[1], "live")
            #expect(BackupJSON.stat(secondDisk, "bytesRead") == 4 << 20, "\(secondDisk)\n\(joist.daemonLog())")
            let thirdDisk = try BackupJSON.disk(backups[2], "live")
            #expect(BackupJSON.stat(thirdDisk, "bytesRead") == 0, "\(thirdDisk)")

            let restored = joist.stateDirectory + "/restored-live.raw"
            try await joist.restore("vm4", backup: try #require(backups[2]["id"] as? String), disk: "live", to: restored)
            try await HostTool.run("qemu-img", ["compare", "-f", "raw", "-F", "qcow2", restored, disk])
        }
    }
}
