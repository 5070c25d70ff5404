import Foundation
import JoistCore
import Testing

@testable import Storage

/// What only the dir driver does: relative backing files, dependents, reflinks.
@Suite("Dir storage driver")
struct DirStorageBackendTests {
    let qemuImg = QemuImg()

    @Test("a pool folder copied elsewhere keeps its linked clones working")
    func copiedPoolKeepsBacking() async throws {
        try await withScratchFolder { scratch in
            let pool = DirStorageBackend(root: scratch + "/pool")
            try await pool.prepare()
            let source = try volume("src")
            try await pool.create(source, size: 64 * mebibyte)
            try await Tool.write(pool.path(of: source), format: .qcow2, pattern: 0x42)
            let clone = try volume("clone", project: "other")
            #expect(try await pool.clone(source, to: clone, linked: true, progress: nil) == .linked)
            #expect(try await pool.inspect(clone).backingFilename == "../default/src.qcow2")

            try await Tool.run("cp", ["-a", scratch + "/pool", scratch + "/moved"])
            try FileManager.default.removeItem(atPath: scratch + "/pool")
            let moved = DirStorageBackend(root: scratch + "/moved")
            let info = try await moved.inspect(clone)
            #expect(info.fullBackingFilename.map { URL(fileURLWithPath: $0).standardized.path } == moved.path(of: source))
            #expect(try await Tool.reads(moved.path(of: clone), format: .qcow2, pattern: 0x42))
        }
    }

    @Test("a volume with linked clones cannot be deleted until they are gone")
    func dependentsBlockDelete() async throws {
        try await withScratchFolder { scratch in
            let pool = DirStorageBackend(root: scratch + "/pool")
            try await pool.prepare()
            let base = try volume("base")
            try await pool.create(base, size: 16 * mebibyte)
            let clones = try [volume("one"), volume("two", project: "team")]
            for clone in clones {
                _ = try await pool.clone(base, to: clone, linked: true, progress: nil)
            }
            _ = try await pool.clone(base, to: try volume("copy"), linked: false, progress: nil)
            #expect(Set(try pool.dependents(of: base)) == Set(clones))
            let error = await #expect(throws: JoistError.self) { try await pool.delete(base) }
            #expect(error?.code == .invalidState)
            #expect(error?.message.contains("default/one") == true)
            #expect(pool.exists(base))
            for clone in clones {
                try await pool.delete(clone)
            }
            try await pool.delete(base)
            #expect(!pool.exists(base))
        }
    }

    @Test("a full clone of a linked clone is flattened: it reads the same data without a backing file")
    func fullCloneFlattens() async throws {
        try await withScratchFolder { scratch in
            let pool = DirStorageBackend(root: scratch + "/pool")
            try await pool.prepare()
            let base = try volume("base")
            try await pool.create(base, size: 16 * mebibyte)
            try await Tool.write(pool.path(of: base), format: .qcow2, pattern: 0x77)
            let linked = try volume("linked")
            _ = try await pool.clone(base, to: linked, linked: true, progress: nil)
            let copy = try volume("copy")
            #expect(try await pool.clone(linked, to: copy, linked: false, progress: nil) == .independent)
            #expect(try await pool.inspect(copy).backingFilename == nil)
            try await pool.delete(linked)
            try await pool.delete(base)
            #expect(try await Tool.reads(pool.path(of: copy), format: .qcow2, pattern: 0x77))
        }
    }

    @Test("reflink copies share extents on btrfs and are declined elsewhere, leaving nothing")
    func reflink() async throws {
        try await withScratchFolder { scratch in
            try Data(repeating: 9, count: 1 << 16).write(to: URL(fileURLWithPath: scratch + "/plain"))
            // The temporary directory is not btrfs on these hosts; if it ever is, this half says nothing.
            if try Filesystem.typeMagic(of: scratch) != Filesystem.btrfsMagic {
                #expect(try !Reflink.copy(scratch + "/plain", to: scratch + "/copy"))
                #expect(!FileManager.default.fileExists(atPath: scratch + "/copy"))
            }
            let mount = try await BtrfsMount.make(in: scratch)
            do {
                let source = mount.mountPoint + "/source"
                try Data(repeating: 7, count: 1 << 20).write(to: URL(fileURLWithPath: source))
                #expect(try Reflink.copy(source, to: mount.mountPoint + "/copy"))
                #expect(FileManager.default.contents(atPath: mount.mountPoint + "/copy") == Data(repeating: 7, count: 1 << 20))
                try await Tool.run("sync", [])
                let usage = try await Tool.run("btrfs", ["filesystem", "du", "-s", "--raw", mount.mountPoint + "/copy"])
                #expect(try StorageCloneContractTests.sharedBytes(inBtrfsDu: usage) == 1 << 20, "\(usage)")
            } catch {
                try await mount.unmount()
                throw error
            }
            try await mount.unmount()
        }
    }

    @Test("prepare refuses a relative or unnormalized path and a file", arguments: ["pool", "/a/../b", "/a//b", "/", "/a/./b"])
    func prepareRefusesPaths(root: String) async throws {
        let error = await #expect(throws: JoistError.self) { try await DirStorageBackend(root: root).prepare() }
        #expect(error?.code == .invalidArgument)
    }

    @Test("prepare refuses a file and is idempotent on a folder")
    func prepareFile() async throws {
        try await withScratchFolder { scratch in
            #expect(FileManager.default.createFile(atPath: scratch + "/file", contents: nil))
            let error = await #expect(throws: JoistError.self) { try await DirStorageBackend(root: scratch + "/file").prepare() }
            #expect(error?.code == .invalidArgument)
            let pool = DirStorageBackend(root: scratch + "/pool")
            try await pool.prepare()
            try await pool.prepare()
            #expect(FileManager.default.fileExists(atPath: scratch + "/pool/volumes"))
        }
    }
}
