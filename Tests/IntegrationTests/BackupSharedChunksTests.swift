import Backup
import Foundation
import JoistTesting
import Testing

/// Two instances made from one base volume (a linked clone and a full copy) back up into one store:
/// their identical blocks are stored once.
@Suite("Backups sharing chunks across instances (real daemon)", .serialized, .timeLimit(.minutes(5)))
struct BackupSharedChunksTests {
    @Test("the second instance's full backup stores no new bytes: every chunk is already in the store")
    func clonesShareChunks() async throws {
        let guest = try await TestGuest.locate()
        try await DaemonHarness.with { joist in
            try await joist.succeed(["volume", "create", "default", "base", "--size", "64MiB"])
            try await HostImage.fillRandom(joist.volumeImage("base"), megabytes: 48)
            try await joist.succeed(["volume", "clone", "default", "base", "linked", "--linked"])
            try await joist.succeed(["volume", "clone", "default", "base", "copy"])
            try await joist.createGuest("a", guest: guest, extra: ["--disk", "default/linked"])
            try await joist.createGuest("b", guest: guest, extra: ["--disk", "default/copy"])
            let store = try joist.defaultBackupStore()

            try await joist.succeed(["backup", "create", "a"])
            let afterFirst = try Self.chunkBytes(store)
            let a = try BackupJSON.disk(try #require(try await joist.backups(of: "a").first), "linked")
            #expect(BackupJSON.stat(a, "chunksNew") == 12, "48 MiB of random data is 12 new chunks: \(a)")
            #expect(BackupJSON.stat(a, "chunksZero") == 4, "\(a)")

            try await joist.succeed(["backup", "create", "b"])
            let b = try BackupJSON.disk(try #require(try await joist.backups(of: "b").first), "copy")
            #expect(b["read"] as? String == "full", "\(b)")
            // The 16 MiB never written read as zeros in the image's allocation map: not read at all.
            #expect(BackupJSON.stat(b, "bytesRead") == 48 << 20, "\(b)")
            #expect(BackupJSON.stat(b, "chunksNew") == 0 && BackupJSON.stat(b, "chunksReused") == 12, "\(b)")
            #expect(BackupJSON.stat(b, "bytesStored") == 0, "\(b)")
            // The store holds no more chunk bytes than after the first backup.
            #expect(try Self.chunkBytes(store) == afterFirst)

            // Each backup restores on its own, equal to its disk.
            for (instance, volume) in [("a", "linked"), ("b", "copy")] {
                let id = try #require(try await joist.backups(of: instance).first?["id"] as? String)
                let restored = joist.stateDirectory + "/\(instance).raw"
                try await joist.restore(instance, backup: id, disk: volume, to: restored)
                try await HostTool.run("qemu-img", ["compare", "-f", "raw", "-F", "qcow2", restored, joist.volumeImage(volume)])
            }
        }
    }

    /// Bytes of the chunk files in `store`.
    static func chunkBytes(_ store: ChunkStore) throws -> UInt64 {
        try store.storedChunks().reduce(0) { $0 + $1.bytes }
    }
}
