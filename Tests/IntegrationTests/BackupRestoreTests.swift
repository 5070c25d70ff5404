import Backup
import Foundation
import JoistTesting
import Testing

/// Restoring backups end to end with a real joistd, stopped instances only: in place (a qcow2 volume
/// and a raw host file), after the instance was deleted, and a store-wide verify that finds damage.
@Suite("Backup restore in place, after delete, and verify --all (real daemon)", .serialized, .timeLimit(.minutes(5)))
struct BackupRestoreTests {
    @Test("in place: a damaged backup, or a disk that cannot be replaced after another was, changes nothing; a qcow2 volume and a raw file equal their backup-time copies, in their formats; the next backup reads whole")
    func inPlace() async throws {
        let guest = try await TestGuest.locate()
        try await DaemonHarness.with { joist in
            try await joist.succeed(["volume", "create", "default", "data", "--size", "16MiB"])
            let raw = joist.stateDirectory + "/files/web.raw"
            try FileManager.default.createDirectory(atPath: joist.stateDirectory + "/files", withIntermediateDirectories: true)
            try await HostTool.run("truncate", ["-s", "8M", raw])
            try await joist.createGuest("vm5", guest: guest, extra: ["--disk", "default/data", "--disk", raw])
            let volume = joist.stateDirectory + "/storage/default/volumes/default/data.qcow2"
            try await HostTool.run("qemu-io", ["-f", "qcow2", "-c", "write -P 0xaa 0 6M", volume])
            try await HostTool.run("qemu-io", ["-f", "raw", "-c", "write -P 0x11 0 8M", raw])
            try await joist.succeed(["backup", "create", "vm5"])
            let id = try #require(try await joist.backups(of: "vm5").last?["id"] as? String)
            let volumeThen = joist.stateDirectory + "/data-then.raw", rawThen = joist.stateDirectory + "/web-then.raw"
            try await HostTool.run("qemu-img", ["convert", "-f", "qcow2", "-O", "raw", volume, volumeThen])
            try FileManager.default.copyItem(atPath: raw, toPath: rawThen)

            // Writes after the backup.
            try await HostTool.run("qemu-io", ["-f", "qcow2", "-c", "write -P 0xbb 1M 64k", volume])
            try await HostTool.run("qemu-io", ["-f", "raw", "-c", "write -P 0x22 4M 64k", raw])

            // A corrupt chunk of the second disk: the first was restored beside its image, but nothing is replaced.
            let store = try #require(try ChunkStore.open(joist.stateDirectory + "/backups"))
            let manifest = try store.manifest(project: "default", instance: "vm5", id: try BackupID(id))
            let rawChunk = try #require(manifest.disk(raw)?.chunks.compactMap(\.id).first)
            let chunkPath = store.layout.chunkFile(rawChunk)
            let intact = try Data(contentsOf: URL(fileURLWithPath: chunkPath))
            try Self.flipByte(in: chunkPath)
            let damaged = try await joist.cli(["backup", "restore", "vm5", id, "--in-place"])
            #expect(!damaged.succeeded && damaged.stderr.contains(rawChunk.hex), "\(damaged)")
            try await Self.expectPattern(0xbb, at: "1M", in: volume, format: "qcow2")
            try await Self.expectPattern(0x22, at: "4M", in: raw, format: "raw")
            #expect(try Self.temporaries(in: [volume, raw]) == [])
            try Data(intact).write(to: URL(fileURLWithPath: chunkPath))

            // The second disk cannot be replaced (an immutable file) once the first was: the first is
            // put back, so the instance keeps the disks it had, and nothing is left beside them.
            try await HostTool.run("chattr", ["+i", raw])
            let stuck: CommandResult
            do {
                stuck = try await joist.cli(["backup", "restore", "vm5", id, "--in-place"])
            } catch {
                try? await HostTool.run("chattr", ["-i", raw])
                throw error
            }
            try await HostTool.run("chattr", ["-i", raw])
            #expect(!stuck.succeeded && stuck.stderr.contains("its disks are unchanged"), "\(stuck)")
            #expect(stuck.stderr.contains("cannot keep \(raw) until the restore is done"), "\(stuck)")
            try await Self.expectPattern(0xbb, at: "1M", in: volume, format: "qcow2")
            try await Self.expectPattern(0x22, at: "4M", in: raw, format: "raw")
            #expect(try Self.temporaries(in: [volume, raw]) == [])

            let neither = try await joist.cli(["backup", "restore", "vm5", id])
            #expect(!neither.succeeded && neither.stderr.contains("exactly one of --as NEW and --in-place"), "\(neither)")

            let restored = try await joist.succeed(["backup", "restore", "vm5", id, "--in-place"])
            #expect(restored.contains("into the disks of instance vm5"), "\(restored)")
            try await HostTool.run("qemu-img", ["compare", "-f", "raw", "-F", "qcow2", volumeThen, volume])
            try await HostTool.run("qemu-img", ["compare", "-f", "raw", "-F", "raw", rawThen, raw])
            #expect(try Self.temporaries(in: [volume, raw]) == [])
            #expect(try await joist.state("vm5") == "stopped")

            // The operation reported its progress in bytes of the disk being restored.
            let operation = try await Self.lastOperation(joist, action: "instance.backup-restore")
            let progress = try #require(operation["progress"] as? [String: Any], "\(operation)")
            #expect((progress["stage"] as? String)?.hasPrefix("restoring disk") == true && progress["unit"] as? String == "bytes", "\(progress)")
            #expect((progress["total"] as? Int ?? 0) > 0 && progress["done"] as? Int == progress["total"] as? Int, "\(progress)")

            // The change records went with the old images: the next backup reads every disk whole.
            let next = try await joist.succeed(["backup", "create", "vm5"])
            #expect(next.contains("as full backup"), "\(next)")
            let latest = try #require(try await joist.backups(of: "vm5").last)
            #expect(try BackupJSON.disk(latest, "data")["read"] as? String == "full")
            // Whole: every chunk holding data (the 6 MiB written: two chunks); the rest are zeros by the
            // image's allocation map, not read.
            #expect(BackupJSON.stat(try BackupJSON.disk(latest, "data"), "bytesRead") == 8 << 20, "\(latest)")
        }
    }

    @Test("a deleted instance's backups are listed, verified and restored as a new instance; snapshots hold an in-place restore back until --force; verify --all names the backup a flipped byte damaged; the deleted instance's backups prune and delete")
    func afterDeleteAndVerifyAll() async throws {
        let guest = try await TestGuest.locate()
        try await DaemonHarness.with { joist in
            for (name, volume, pattern) in [("vm6", "data6", "0xcc"), ("vm7", "data7", "0xdd")] {
                try await joist.succeed(["volume", "create", "default", volume, "--size", "8MiB"])
                try await joist.createGuest(name, guest: guest, extra: ["--disk", "default/\(volume)", "--cpus", "2"])
                let path = joist.stateDirectory + "/storage/default/volumes/default/\(volume).qcow2"
                try await HostTool.run("qemu-io", ["-f", "qcow2", "-c", "write -P \(pattern) 0 5M", path])
                try await joist.succeed(["backup", "create", name])
            }
            let id6 = try #require(try await joist.backups(of: "vm6").last?["id"] as? String)
            let id7 = try #require(try await joist.backups(of: "vm7").last?["id"] as? String)
            try await joist.succeed(["delete", "vm6"])

            let listed = try await joist.backups(of: "vm6")
            #expect(listed.map { $0["id"] as? String } == [id6] && listed.first?["instanceExists"] as? Bool == false, "\(listed)")
            let store = try await joist.succeed(["backup", "list", "--store", "default"])
            #expect(store.contains("INSTANCE") && store.contains("vm6 (deleted)") && store.contains(id7) && !store.contains("vm7 (deleted)"), "\(store)")
            #expect(try await joist.succeed(["backup", "info", "vm6", id6]).contains(id6))
            #expect(try await joist.succeed(["backup", "verify", "vm6", id6]).contains("is intact"))
            let never = try await joist.cli(["backup", "list", "vm9"])
            #expect(!never.succeeded && never.stderr.contains("not found"), "\(never)")

            // Restored with the configuration the backup recorded (2 CPUs), onto a new volume.
            try await joist.succeed(["backup", "restore", "vm6", id6, "--as", "vm6-back"])
            let info = try await joist.info("vm6-back")
            #expect((info["config"] as? [String: Any])?["cpus"] as? Int == 2, "\(info)")
            try await HostTool.run(
                "qemu-img",
                ["compare", "-f", "qcow2", "-F", "qcow2", joist.stateDirectory + "/storage/default/volumes/default/vm6-back-data6.qcow2",
                 joist.stateDirectory + "/storage/default/volumes/default/data6.qcow2"])
            let inPlace = try await joist.cli(["backup", "restore", "vm6", id6, "--in-place"])
            #expect(!inPlace.succeeded && inPlace.stderr.contains("instance vm6 not found"), "\(inPlace)")

            // The snapshot lives in the image an in-place restore replaces: refused, naming it, until forced.
            try await joist.succeed(["snapshot", "create", "vm7", "after"])
            let refused = try await joist.cli(["backup", "restore", "vm7", id7, "--in-place"])
            #expect(!refused.succeeded && refused.stderr.contains("snapshot(s) after") && refused.stderr.contains("--force"), "\(refused)")
            try await joist.succeed(["backup", "restore", "vm7", id7, "--in-place", "--force"])
            let snapshots = try await joist.succeed(["snapshot", "list", "vm7", "--format", "json"])
            #expect(!snapshots.contains("after"), "\(snapshots)")
            let left = try await CommandRunner.run(
                "/usr/bin/qemu-img", ["snapshot", "-l", joist.stateDirectory + "/storage/default/volumes/default/data7.qcow2"])
            #expect(left.succeeded && !left.stdout.contains("after"), "\(left)")

            let clean = try await joist.succeed(["backup", "verify", "--all"])
            #expect(clean.contains("All 2 backup(s) of project default in store default are intact"), "\(clean)")
            let verify = try await Self.lastOperation(joist, action: "backup-store.verify")
            #expect((verify["progress"] as? [String: Any])?["unit"] as? String == "chunks", "\(verify)")

            let chunks = try #require(try ChunkStore.open(joist.stateDirectory + "/backups"))
            let manifest = try chunks.manifest(project: "default", instance: "vm7", id: try BackupID(id7))
            try Self.flipByte(in: chunks.layout.chunkFile(try #require(manifest.disks.first?.chunks.compactMap(\.id).first)))
            let damaged = try await joist.cli(["backup", "verify", "--all", "--store", "default"])
            #expect(!damaged.succeeded, "\(damaged)")
            #expect(damaged.stderr.contains("1 of 2 backup(s) damaged: vm7/\(id7)") && !damaged.stderr.contains("vm6/"), "\(damaged)")

            // A deleted instance's backups are pruned and deleted like any others; then it is gone for good.
            try await joist.succeed(["backup", "create", "vm6-back"])
            let pruned = try await joist.succeed(["backup", "prune", "vm6", "--keep-last", "1", "--dry-run"])
            #expect(pruned.contains(id6), "\(pruned)")
            try await joist.succeed(["backup", "delete", "vm6", id6])
            #expect(try await joist.backups(of: "vm6-back").count == 1)
            let gone = try await joist.cli(["backup", "prune", "vm6", "--keep-last", "1"])
            #expect(!gone.succeeded && gone.stderr.contains("instance vm6 not found"), "\(gone)")
        }
    }

    /// Flips one byte in the middle of a file, as a failing disk would.
    static func flipByte(in path: String) throws {
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        bytes[bytes.count / 2] ^= 0xff
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    /// Expects 64 KiB of `pattern` at `offset` of the image.
    static func expectPattern(_ pattern: UInt8, at offset: String, in path: String, format: String) async throws {
        let read = try await CommandRunner.run("/usr/bin/qemu-io", ["-f", format, "-c", "read -P \(pattern) \(offset) 64k", path])
        #expect(read.succeeded && !(read.stdout + read.stderr).contains("Pattern verification failed"), "\(path) changed: \(read)")
    }

    /// The restore's temporaries left beside the images.
    static func temporaries(in images: [String]) throws -> [String] {
        try Set(images.map { ($0 as NSString).deletingLastPathComponent }).flatMap { folder in
            try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasPrefix(".joist-tmp-") }
        }
    }

    /// The newest operation with `action` that succeeded, as `joist operation list` shows it.
    static func lastOperation(_ joist: DaemonHarness, action: String) async throws -> [String: Any] {
        let text = try await joist.succeed(["operation", "list", "--format", "json"])
        let operations = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]])
        let matching = operations.filter { $0["action"] as? String == action && $0["status"] as? String == "succeeded" }
        return try #require(matching.max { ($0["createdAt"] as? String ?? "") < ($1["createdAt"] as? String ?? "") }, "\(operations)")
    }
}
