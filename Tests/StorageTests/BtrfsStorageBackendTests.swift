import Foundation
import JoistCore
import Storage
import Testing

/// What only the btrfs driver does.
@Suite("Btrfs storage driver")
struct BtrfsStorageBackendTests {
    @Test("prepare refuses a folder that is not on btrfs, and makes nothing")
    func refusesOtherFilesystems() async throws {
        try await withScratchFolder { scratch in
            let pool = BtrfsStorageBackend(root: scratch + "/pool")
            let error = await #expect(throws: JoistError.self) { try await pool.prepare() }
            #expect(error?.code == .unsupported)
            #expect(error?.message.contains("not on a btrfs file system") == true)
            #expect(!FileManager.default.fileExists(atPath: scratch + "/pool"))
        }
    }

    @Test("each volume is a subvolume holding its image")
    func volumesAreSubvolumes() async throws {
        try await PoolKind.btrfs.withPool { pool in
            let web = try volume("web", .raw)
            try await pool.create(web, size: 16 * mebibyte)
            #expect(pool.path(of: web) == pool.root + "/volumes/default/web/disk.raw")
            let shown = try await Tool.run("btrfs", ["subvolume", "show", pool.root + "/volumes/default/web"])
            #expect(shown.contains("Subvolume ID"))
            _ = try await pool.clone(web, to: try volume("copy", .raw), linked: true, progress: nil)
            let list = try await Tool.run("btrfs", ["subvolume", "list", "-o", pool.root])
            #expect(list.contains("volumes/default/copy"), "\(list)")
        }
    }
}
