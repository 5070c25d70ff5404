import Foundation
import JoistCore
import Storage
import Testing

/// Volumes that read a file outside their pool (an image): the same contract for every driver.
@Suite("Storage contract: overlays of files outside the pool")
struct StorageOverlayContractTests {
    @Test("an overlay reads the file by its absolute path, takes almost no space whatever the file's size, and writes only itself",
          arguments: PoolKind.allCases)
    func overlay(_ kind: PoolKind) async throws {
        try await withScratchFolder { scratch in
            let image = scratch + "/image.qcow2"
            try await Tool.run("qemu-img", ["create", "-q", "-f", "qcow2", image, "10G"])
            try await Tool.write(image, format: .qcow2, pattern: 0x33, offset: 0, length: mebibyte)
            let before = try await sha256sum(image)
            try await kind.withPool { pool in
                let root = try volume("root")
                try await pool.createOverlay(root, backing: QemuImg.Backing(path: image, format: .qcow2), size: 12 << 30)
                let info = try await pool.inspect(root)
                #expect(info.fullBackingFilename == image && info.backingFilenameFormat == "qcow2")
                #expect(info.virtualSize == 12 << 30)
                #expect((info.actualSize ?? .max) < mebibyte, "an overlay holds no data of its own")
                #expect(try await Tool.reads(pool.path(of: root), format: .qcow2, pattern: 0x33))
                try await Tool.write(pool.path(of: root), format: .qcow2, pattern: 0x44, offset: 0, length: mebibyte)
                #expect(try await Tool.reads(pool.path(of: root), format: .qcow2, pattern: 0x44))
                #expect(try pool.volumes() == [root])
                try await pool.delete(root)
            }
            #expect(try await sha256sum(image) == before, "the image is never written")
        }
    }

    @Test("overlays are qcow2 and name their backing file absolutely; a refused one leaves nothing", arguments: PoolKind.allCases)
    func refusals(_ kind: PoolKind) async throws {
        try await kind.withPool { pool in
            let raw = try volume("raw", .raw)
            await #expect(throws: JoistError.self) {
                try await pool.createOverlay(raw, backing: QemuImg.Backing(path: "/srv/image.qcow2", format: .qcow2), size: mebibyte)
            }
            await #expect(throws: JoistError.self) {
                try await pool.createOverlay(try volume("rel"), backing: QemuImg.Backing(path: "image.qcow2", format: .qcow2), size: mebibyte)
            }
            await #expect(throws: JoistError.self) {
                try await pool.createOverlay(try volume("gone"), backing: QemuImg.Backing(path: "/nonexistent/image.qcow2", format: .qcow2), size: mebibyte)
            }
            #expect(try pool.volumes() == [])
            #expect(try await pool.sweep() == [])
        }
    }
}
