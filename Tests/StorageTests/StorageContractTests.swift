import Foundation
import JoistCore
import Storage
import Testing

/// Creating, inspecting, listing, resizing and deleting volumes: the same expectations for every driver.
@Suite("Storage contract: volumes")
struct StorageContractTests {
    @Test("create makes a volume of the requested size and format, where path(of:) says", arguments: PoolKind.allCases)
    func create(kind: PoolKind) async throws {
        try await kind.withPool { pool in
            for format in DiskFormat.allCases {
                let web = try volume("web-\(format.rawValue)", format)
                try await pool.create(web, size: 64 * mebibyte)
                let info = try await pool.inspect(web)
                #expect(info.virtualSize == 64 * mebibyte)
                #expect(info.format == format.rawValue)
                #expect(info.backingFilename == nil)
                #expect(pool.exists(web))
                #expect(info.filename == pool.path(of: web))
                #expect(pool.path(of: web).hasPrefix(pool.root + "/volumes/default/"))
            }
        }
    }

    @Test("bytesOnDisk counts what the volume holds, as qemu-img's actual-size does", arguments: PoolKind.allCases)
    func bytesOnDisk(kind: PoolKind) async throws {
        try await kind.withPool { pool in
            let data = try volume("data", .qcow2)
            try await pool.create(data, size: 64 * mebibyte)
            let empty = try pool.bytesOnDisk(data)
            try await Tool.write(pool.path(of: data), format: .qcow2, pattern: 7, length: 8 * mebibyte)
            let written = try pool.bytesOnDisk(data)
            #expect(written >= empty + 8 * mebibyte, "empty \(empty), written \(written)")
            #expect(written == (try await pool.inspect(data)).actualSize)
        }
    }

    @Test("volumes lists what is on disk and ignores files that are not volumes", arguments: PoolKind.allCases)
    func listing(kind: PoolKind) async throws {
        try await kind.withPool { pool in
            #expect(try pool.volumes().isEmpty)
            let expected = try [volume("a"), volume("b", .raw), volume("c", project: "team")]
            for handle in expected {
                try await pool.create(handle, size: 16 * mebibyte)
            }
            let folder = pool.root + "/volumes/default"
            for stray in ["notes.txt", "bad name.qcow2", "1st.qcow2"] {
                #expect(FileManager.default.createFile(atPath: folder + "/" + stray, contents: Data("x".utf8)))
            }
            try FileManager.default.createDirectory(atPath: pool.root + "/volumes/not a project", withIntermediateDirectories: true)
            #expect(Set(try pool.volumes()) == Set(expected))
            #expect(!pool.exists(try volume("a", .raw)))
            #expect(!pool.exists(try volume("missing")))
        }
    }

    @Test("create refuses a name in use, in either format, and sizes that are not whole sectors", arguments: PoolKind.allCases)
    func createRefusals(kind: PoolKind) async throws {
        try await kind.withPool { pool in
            try await pool.create(try volume("web"), size: 16 * mebibyte)
            for taken in try [volume("web"), volume("web", .raw)] {
                let error = await #expect(throws: JoistError.self) { try await pool.create(taken, size: 16 * mebibyte) }
                #expect(error?.code == .alreadyExists)
            }
            for size: UInt64 in [0, 1000] {
                let error = await #expect(throws: JoistError.self) { try await pool.create(try volume("odd"), size: size) }
                #expect(error?.code == .invalidArgument)
            }
            #expect(try pool.volumes() == [try volume("web")])
            #expect(try await pool.sweep().isEmpty)
        }
    }

    @Test("resize grows a volume", arguments: PoolKind.allCases)
    func grow(kind: PoolKind) async throws {
        try await kind.withPool { pool in
            for format in DiskFormat.allCases {
                let disk = try volume("disk-\(format.rawValue)", format)
                try await pool.create(disk, size: 64 * mebibyte)
                try await pool.resize(disk, to: 128 * mebibyte, allowShrink: false)
                #expect(try await pool.inspect(disk).virtualSize == 128 * mebibyte)
            }
        }
    }

    @Test("shrinking is refused without allowShrink and done with it", arguments: PoolKind.allCases)
    func shrink(kind: PoolKind) async throws {
        try await kind.withPool { pool in
            for format in DiskFormat.allCases {
                let disk = try volume("disk-\(format.rawValue)", format)
                try await pool.create(disk, size: 64 * mebibyte)
                let error = await #expect(throws: JoistError.self) {
                    try await pool.resize(disk, to: 32 * mebibyte, allowShrink: false)
                }
                #expect(error?.code == .invalidArgument)
                #expect(error?.message.contains("shrink") == true)
                #expect(try await pool.inspect(disk).virtualSize == 64 * mebibyte)
                try await pool.resize(disk, to: 32 * mebibyte, allowShrink: true)
                #expect(try await pool.inspect(disk).virtualSize == 32 * mebibyte)
            }
        }
    }

    @Test("delete removes a volume; a missing one is notFound", arguments: PoolKind.allCases)
    func delete(kind: PoolKind) async throws {
        try await kind.withPool { pool in
            let web = try volume("web")
            try await pool.create(web, size: 16 * mebibyte)
            try await pool.delete(web)
            #expect(!pool.exists(web))
            #expect(!FileManager.default.fileExists(atPath: pool.path(of: web)))
            #expect(try pool.volumes().isEmpty)
            let error = await #expect(throws: JoistError.self) { try await pool.delete(web) }
            #expect(error?.code == .notFound)
            let inspectError = await #expect(throws: JoistError.self) { try await pool.inspect(web) }
            #expect(inspectError?.code == .notFound)
            // The name is free again.
            try await pool.create(web, size: 16 * mebibyte)
            #expect(pool.exists(web))
        }
    }

    @Test("destroy refuses while volumes remain and removes the pool's folders once empty", arguments: PoolKind.allCases)
    func destroy(kind: PoolKind) async throws {
        try await kind.withPool { pool in
            let web = try volume("web")
            try await pool.create(web, size: 16 * mebibyte)
            let error = await #expect(throws: JoistError.self) { try await pool.destroy() }
            #expect(error?.code == .invalidState)
            #expect(error?.message.contains("default/web") == true)
            #expect(pool.exists(web))
            try await pool.delete(web)
            try await pool.destroy()
            #expect(!FileManager.default.fileExists(atPath: pool.root))
        }
    }

    @Test("space is the pool's file system's", arguments: PoolKind.allCases)
    func space(kind: PoolKind) async throws {
        try await kind.withPool { pool in
            let space = try pool.space()
            #expect(space.capacity > 0)
            #expect(space.free <= space.capacity)
            if kind.needsBtrfs {
                // The 1 GiB loop file, not the file system holding it.
                #expect(space.capacity <= 1 << 30)
            }
        }
    }
}
