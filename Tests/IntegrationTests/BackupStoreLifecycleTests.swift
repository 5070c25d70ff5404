import Backup
import Foundation
import JoistTesting
import Testing

/// Backup stores end to end: a real joistd driven through the real CLI, with backups written into a
/// store by the Backup library as the backup layer does.
@Suite("Backup stores (real daemon)", .serialized, .timeLimit(.minutes(5)))
struct BackupStoreLifecycleTests {
    @Test("stores: the default, create, refusals, gc of a pruned backup's chunks, restart, forget and adopt")
    func lifecycle() async throws {
        var template = Array("/tmp/jbs-XXXXXX".utf8CString)
        let folder = String(cString: try #require(mkdtemp(&template)))
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/offsite"
        try await DaemonHarness.with { joist in
            let listed = try await joist.succeed(["backup-store", "list", "--format", "csv"])
            #expect(listed.hasPrefix("NAME,PATH,BACKUPS,CAPACITY,FREE,DESCRIPTION\n"), "\(listed)")
            #expect(listed.contains("default,\(joist.stateDirectory)/backups,0,"), "\(listed)")
            #expect(FileManager.default.fileExists(atPath: joist.stateDirectory + "/backups/joist-backup-store.json"))

            #expect(
                try await joist.succeed(["backup-store", "create", "offsite", "--path", path, "--description", "USB disk"])
                    == "Created backup store offsite at \(path)\n")
            let nested = try await joist.cli(["backup-store", "create", "inner", "--path", path + "/chunks"])
            #expect(nested.stderr.contains("overlaps the folder of backup store offsite"), "\(nested)")
            let relative = try await joist.cli(["backup-store", "create", "root", "--path", "/"])
            #expect(relative.stderr.contains("cannot be the root folder"), "\(relative)")

            // Two backups of an instance; the older is pruned, and a crash left a temporary behind.
            let store = try #require(try ChunkStore.open(path))
            let disk = folder + "/disk.raw"
            try Data(repeating: 0x5a, count: 3 << 20).write(to: URL(fileURLWithPath: disk))
            let writer = BackupWriter(store: store)
            let old = try await writer.write(project: "default", instance: "web-1", disks: ["root": try FileBackupSource(path: disk)])
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: disk))
            try handle.seekToEnd()
            try handle.write(contentsOf: Data(repeating: 1, count: 4096))
            try handle.close()
            _ = try await writer.write(project: "default", instance: "web-1", disks: ["root": try FileBackupSource(path: disk)])
            try store.deleteManifest(project: "default", instance: "web-1", id: old.id)
            #expect(FileManager.default.createFile(atPath: path + "/tmp/torn", contents: Data("half".utf8)))

            let info = try await joist.json(["backup-store", "info", "offsite", "--format", "json"])
            let usage = try #require(info["usage"] as? [String: Any])
            #expect(usage["backups"] as? Int == 1 && usage["chunks"] as? Int == 2, "\(info)")
            let text = try await joist.succeed(["backup-store", "info", "offsite"])
            #expect(text.contains("Chunk size: 4MiB") && text.contains("Description: USB disk"), "\(text)")

            let gc = try await joist.succeed(["backup-store", "gc", "offsite"])
            #expect(gc.contains("Removed 1 chunk(s)") && gc.contains("kept 1 for 1 backup(s)"), "\(gc)")
            #expect(!FileManager.default.fileExists(atPath: path + "/tmp/torn"))
            #expect(try await BackupVerifier(store: store).verify().isClean)

            await joist.killDaemon()
            try await joist.start()
            #expect(try await joist.succeed(["backup-store", "list", "--format", "csv"]).contains("offsite,\(path),1,"))

            // Forgetting keeps the backups on disk; a store made over the folder adopts them.
            #expect(try await joist.cli(["backup-store", "delete", "default"]).stderr.contains("the default backup store cannot be deleted"))
            try await joist.succeed(["backup-store", "delete", "offsite"])
            #expect(FileManager.default.fileExists(atPath: path + "/joist-backup-store.json"))
            #expect(try await joist.cli(["backup-store", "info", "offsite"]).stderr.contains("backup store offsite not found"))
            let adopted = try await joist.succeed(["backup-store", "create", "found", "--path", path])
            #expect(adopted.contains("adopted 1 backup(s) found there"), "\(adopted)")
        }
    }
}
