import Foundation
import JoistCore
import Testing

@testable import Storage

/// Crash leftovers, names that could escape the pool, and failures of the tools underneath: the same
/// expectations for every driver.
@Suite("Storage contract: safety")
struct StorageSafetyContractTests {
    /// What a crash in the middle of creating `web` leaves: a temporary file (dir) or subvolume (btrfs).
    func leaveCrashTemporary(in pool: any StorageBackend, kind: PoolKind) async throws -> String {
        let folder = pool.root + "/volumes/default"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        if kind.driver == .btrfs {
            let temporary = folder + "/" + TemporaryName.make(for: "web")
            try await Tool.run("btrfs", ["subvolume", "create", temporary])
            try await Tool.run("qemu-img", ["create", "-q", "-f", "qcow2", temporary + "/disk.qcow2", "16M"])
            return temporary
        }
        let temporary = folder + "/" + TemporaryName.make(for: "web.qcow2")
        try await Tool.run("qemu-img", ["create", "-q", "-f", "qcow2", temporary, "16M"])
        return temporary
    }

    @Test("sweep removes what an interrupted write left, and nothing of the user's", arguments: PoolKind.allCases)
    func sweep(kind: PoolKind) async throws {
        try await kind.withPool { pool in
            let keep = try volume("keep")
            try await pool.create(keep, size: 16 * mebibyte)
            let temporary = try await leaveCrashTemporary(in: pool, kind: kind)
            let folder = pool.root + "/volumes/default/"
            let userFiles = ["notes.txt", ".joist-tmp-notes", ".joist-tmp-0123456789abcdef", "web.qcow2.joist-tmp-0"]
            for name in userFiles {
                #expect(FileManager.default.createFile(atPath: folder + name, contents: Data("mine".utf8)))
            }
            #expect(try pool.volumes() == [keep])
            #expect(try await pool.sweep() == [temporary])
            #expect(!FileManager.default.fileExists(atPath: temporary))
            for name in userFiles {
                #expect(FileManager.default.fileExists(atPath: folder + name), "\(name) was removed")
            }
            #expect(pool.exists(keep))
            #expect(try await pool.sweep().isEmpty)
        }
    }

    @Test("volume and project names that could leave the pool are refused", arguments: ["../x", "..", "a/b", "a,b", "", ".hidden", "x y"])
    func escapingNames(name: String) throws {
        let asVolume = #expect(throws: JoistError.self) { try VolumeHandle(project: "default", name: name, format: .qcow2) }
        #expect(asVolume?.code == .invalidArgument)
        let asProject = #expect(throws: JoistError.self) { try VolumeHandle(project: name, name: "web", format: .qcow2) }
        #expect(asProject?.code == .invalidArgument)
    }

    @Test("every volume's file is inside the pool's folder", arguments: PoolKind.allCases)
    func pathsStayInside(kind: PoolKind) async throws {
        try await kind.withPool { pool in
            for handle in try [volume("web"), volume("web", .raw), volume("a", project: "b")] {
                let path = URL(fileURLWithPath: pool.path(of: handle)).standardized.path
                #expect(path.hasPrefix(pool.root + "/volumes/\(handle.project)/"))
                #expect(path == pool.path(of: handle))
            }
        }
    }

    @Test("a failing qemu-img surfaces as hostFailure naming the tool and its complaint", arguments: PoolKind.allCases)
    func qemuImgFailure(kind: PoolKind) async throws {
        try await kind.withPool { pool in
            let broken = try volume("broken")
            try await pool.create(broken, size: 16 * mebibyte)
            // No longer a qcow2 image: qemu-img refuses to open it.
            try Data("not an image".utf8).write(to: URL(fileURLWithPath: pool.path(of: broken)))
            let inspect = await #expect(throws: JoistError.self) { try await pool.inspect(broken) }
            #expect(inspect?.code == .hostFailure)
            #expect(inspect?.message.hasPrefix("qemu-img info failed: ") == true)
            #expect(inspect?.message.contains("qcow2") == true, "\(inspect?.message ?? "")")
            let resize = await #expect(throws: JoistError.self) {
                try await pool.resize(broken, to: 32 * mebibyte, allowShrink: false)
            }
            #expect(resize?.code == .hostFailure)
            #expect(resize?.message.hasPrefix("qemu-img ") == true)
        }
    }

    @Test("a pool without qemu-img says how to install it", arguments: PoolKind.allCases)
    func missingQemuImg(kind: PoolKind) async throws {
        try await kind.withPool { pool in
            let bare = StorageDrivers.backend(kind.driver, root: pool.root, qemuImg: QemuImg(executable: nil))
            try await expectMissingQemuImg(bare)
        }
    }

    func expectMissingQemuImg(_ pool: any StorageBackend) async throws {
        let error = await #expect(throws: JoistError.self) { try await pool.create(try volume("web"), size: 16 * mebibyte) }
        #expect(error?.code == .unsupported)
        #expect(error?.message.contains("qemu-utils") == true)
        #expect(try await pool.sweep().isEmpty)
        #expect(try pool.volumes().isEmpty)
    }
}
