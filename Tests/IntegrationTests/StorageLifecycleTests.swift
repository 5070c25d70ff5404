import Foundation
import JoistTesting
import Testing

/// Storage pools and volumes end to end: a real joistd with the real `dir` driver (qemu-img), driven
/// through the real CLI, on a pool in a temporary folder.
@Suite("Storage pools and volumes (real daemon)", .serialized, .timeLimit(.minutes(5)))
struct StorageLifecycleTests {
    @Test("pools and volumes: create, list, resize, clone, refusals, crash leftovers after a restart, delete")
    func lifecycle() async throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let poolPath = folder + "/pool"
        try await DaemonHarness.with { joist in
            let defaultPool = try await joist.succeed(["storage", "list", "--format", "csv"])
            #expect(defaultPool.contains("default,dir,\(joist.stateDirectory)/storage/default,"), "\(defaultPool)")

            try await joist.succeed(["storage", "create", "data", "--driver", "dir", "--path", poolPath, "--overcommit", "2"])
            let inside = try await joist.cli(["storage", "create", "inner", "--driver", "dir", "--path", poolPath + "/inner"])
            #expect(inside.stderr.contains("overlaps the folder of storage pool data"), "\(inside)")

            try await joist.succeed(["volume", "create", "data", "disk", "--size", "64MiB"])
            try await joist.succeed(["volume", "create", "data", "scratch", "--size", "32MiB", "--format", "raw"])
            #expect(FileManager.default.fileExists(atPath: poolPath + "/volumes/default/disk.qcow2"))
            let listed = try await joist.succeed(["volume", "list", "data", "--format", "csv"])
            #expect(listed.hasPrefix("POOL,NAME,FORMAT,SIZE,ALLOCATED,LINKED-TO,USED-BY\n"), "\(listed)")
            #expect(listed.contains("data,disk,qcow2,64MiB,") && listed.contains("data,scratch,raw,32MiB,"), "\(listed)")

            // Resize: grow; shrinking is refused by the CLI without --allow-shrink, and warned about with it.
            #expect(try await joist.succeed(["volume", "resize", "data", "disk", "128MiB"]) == "Resized volume data/disk to 128MiB\n")
            let refused = try await joist.cli(["volume", "resize", "data", "disk", "96MiB"])
            #expect(!refused.succeeded && refused.stderr.contains("pass --allow-shrink"), "\(refused)")
            let shrunk = try await joist.cli(["volume", "resize", "data", "disk", "96MiB", "--allow-shrink"])
            #expect(shrunk.succeeded && shrunk.stderr.contains("Warning: shrinking volume data/disk"), "\(shrunk)")
            let info = try await joist.json(["volume", "info", "data", "disk", "--format", "json"])
            #expect(info["size"] as? String == "96MiB")
            #expect((info["allocated"] as? Int ?? 0) > 0)

            // Clones: a full copy, and a linked clone that keeps its source from being deleted.
            #expect(try await joist.succeed(["volume", "clone", "data", "disk", "copy"]) == "Cloned volume data/disk to data/copy (copy)\n")
            #expect(try await joist.succeed(["volume", "clone", "data", "disk", "child", "--linked"])
                == "Cloned volume data/disk to data/child (linked clone)\n")
            let child = try await joist.json(["volume", "info", "data", "child", "--format", "json"])
            #expect(child["linkedTo"] as? [String: String] == ["pool": "data", "name": "disk"])
            let protected = try await joist.cli(["volume", "delete", "data", "disk"])
            #expect(protected.stderr.contains("volume data/disk has linked clones that read its data (data/child)"), "\(protected)")

            // Limits: a project's disk quota, and the default pool's free space (no overcommit there).
            try await joist.succeed(["project", "create", "team", "--limit", "disk=100MiB"])
            let quota = try await joist.cli(["--project", "team", "volume", "create", "data", "big", "--size", "200MiB"])
            #expect(quota.stderr.contains("project team would exceed its limit (disk: 200MiB of 100MiB)"), "\(quota)")
            let huge = try await joist.cli(["volume", "create", "default", "huge", "--size", "900TiB"])
            #expect(huge.stderr.contains("free, the volume needs 900TiB"), "\(huge)")
            let held = try await joist.cli(["storage", "delete", "data"])
            #expect(held.stderr.contains("storage pool data still holds 4 volume(s)"), "\(held)")
            let poolInfo = try await joist.succeed(["storage", "info", "data"])
            #expect(poolInfo.contains("Overcommit: 2 × capacity") && poolInfo.contains("  child\n"), "\(poolInfo)")

            // A crash leaves a temporary and a volume file without a record: the next start settles both.
            await joist.killDaemon()
            let projectFolder = poolPath + "/volumes/default"
            let temporary = projectFolder + "/.joist-tmp-0123456789abcdef-lost.qcow2"
            #expect(FileManager.default.createFile(atPath: temporary, contents: Data("half".utf8)))
            let made = try await CommandRunner.run("/usr/bin/qemu-img", ["create", "-q", "-f", "qcow2", projectFolder + "/orphan.qcow2", "16M"])
            #expect(made.succeeded, "\(made)")
            try await joist.start()
            #expect(!FileManager.default.fileExists(atPath: temporary), "the temporary is swept")
            let after = try await joist.succeed(["volume", "list", "--format", "csv"])
            #expect(after.contains("data,orphan,qcow2,16MiB,"), "\(after)")
            #expect(joist.daemonLog().contains("adopted volume data/orphan (16MiB), found on disk without a record"))
            #expect(joist.daemonLog().contains("removed \(temporary), left by an interrupted operation"))

            for name in ["child", "copy", "disk", "scratch", "orphan"] {
                try await joist.succeed(["volume", "delete", "data", name])
            }
            try await joist.succeed(["storage", "delete", "data"])
            #expect(!FileManager.default.fileExists(atPath: poolPath), "the pool's folders are gone")
            #expect(try await joist.cli(["storage", "delete", "default"]).stderr.contains("the default storage pool cannot be deleted"))
            #expect(try await joist.succeed(["volume", "list", "--format", "csv"]) == "POOL,NAME,FORMAT,SIZE,ALLOCATED,LINKED-TO,USED-BY\n")
        }
    }

    /// Runs a command that must succeed and returns its standard output.

    /// A fresh folder outside the daemon's state directory (pools may not overlap it).
    private static func temporaryFolder() throws -> String {
        var template = Array("/tmp/jp-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw CocoaError(.fileWriteUnknown) }
        return String(cString: made)
    }
}
