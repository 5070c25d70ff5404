import Foundation
import JoistCore
import Storage
import Testing

/// Importing image files as volumes and exporting volumes to image files: the same expectations for
/// every driver, with real qemu-img and data written as a guest would.
@Suite("Storage contract: import and export")
struct StorageTransferContractTests {
    let qemuImg = QemuImg()
    /// 64 MiB and one sector: a size no format's geometry rounds to by chance.
    static let size: UInt64 = 64 * mebibyte + 512

    /// A qcow2 volume `src` of `size` bytes with 0x5a at 3 MiB and 0xc3 in its last MiB, so unwritten
    /// space lies between written data.
    func makeSource(in pool: any StorageBackend, format: DiskFormat = .qcow2) async throws -> VolumeHandle {
        let source = try volume("src", format)
        try await pool.create(source, size: Self.size)
        try await Tool.write(pool.path(of: source), format: format, pattern: 0x5a, offset: 3 * mebibyte, length: 2 * mebibyte)
        try await Tool.write(pool.path(of: source), format: format, pattern: 0xc3, offset: Self.size - mebibyte, length: mebibyte)
        return source
    }

    @Test("every export format round-trips: exported, imported back, the data is equal", arguments: PoolKind.allCases)
    func roundTrip(kind: PoolKind) async throws {
        try await kind.withPool { pool in
            try await withScratchFolder { folder in
                let source = try await makeSource(in: pool)
                for format in ImageFileFormat.allCases {
                    let file = folder + "/disk." + format.fileExtension
                    let exported = ProgressLog()
                    try await pool.exportImage(source, to: file, format: format, replacing: false, progress: exported.record)
                    #expect(exported.values.last == 1, "\(format)")
                    #expect(try await qemuImg.info(file, format: format).virtualSize == Self.size, "\(format)")
                    #expect(try await qemuImg.compare(pool.path(of: source), format: .qcow2, file, format: format), "\(format)")

                    for target in DiskFormat.allCases {
                        let back = try volume("back-\(format.rawValue)-\(target.rawValue)", target)
                        let imported = ProgressLog()
                        try await pool.importImage(from: file, sourceFormat: format, as: back, progress: imported.record)
                        #expect(imported.values.last == 1)
                        #expect(try await pool.inspect(back).virtualSize == Self.size, "\(format) → \(target)")
                        #expect(try await qemuImg.compare(pool.path(of: source), format: .qcow2, pool.path(of: back), format: .init(target)))
                        #expect(try await Tool.reads(pool.path(of: back), format: target, pattern: 0xc3, offset: Self.size - mebibyte))
                    }
                }
                #expect(try await pool.sweep().isEmpty, "nothing was left behind")
                #expect(try FileManager.default.contentsOfDirectory(atPath: folder).count == ImageFileFormat.allCases.count)
            }
        }
    }

    @Test("a raw volume exports and re-imports as qcow2 with the same data", arguments: PoolKind.allCases)
    func rawVolume(kind: PoolKind) async throws {
        try await kind.withPool { pool in
            try await withScratchFolder { folder in
                let source = try await makeSource(in: pool, format: .raw)
                try await pool.exportImage(source, to: folder + "/disk.vmdk", format: .vmdk, replacing: false, progress: nil)
                let back = try volume("back")
                try await pool.importImage(from: folder + "/disk.vmdk", sourceFormat: .vmdk, as: back, progress: nil)
                #expect(try await qemuImg.compare(pool.path(of: source), format: .raw, pool.path(of: back), format: .qcow2))
            }
        }
    }

    @Test("import refuses a name in use, in either format, and leaves nothing when qemu-img fails", arguments: PoolKind.allCases)
    func importRefusals(kind: PoolKind) async throws {
        try await kind.withPool { pool in
            try await withScratchFolder { folder in
                let image = folder + "/disk.qcow2"
                try await qemuImg.create(image, format: .qcow2, size: 16 * mebibyte)
                try await pool.create(try volume("web"), size: 16 * mebibyte)
                for taken in try [volume("web"), volume("web", .raw)] {
                    let error = await #expect(throws: JoistError.self) {
                        try await pool.importImage(from: image, sourceFormat: .qcow2, as: taken, progress: nil)
                    }
                    #expect(error?.code == .alreadyExists)
                }
                try Data("not an image at all".utf8).write(to: URL(fileURLWithPath: folder + "/broken.vdi"))
                let broken = await #expect(throws: JoistError.self) {
                    try await pool.importImage(from: folder + "/broken.vdi", sourceFormat: .vdi, as: try volume("broken"), progress: nil)
                }
                #expect(broken?.code == .hostFailure)
                #expect(broken?.message.hasPrefix("qemu-img convert failed: ") == true)
                #expect(try pool.volumes() == [try volume("web")])
                #expect(try await pool.sweep().isEmpty)
            }
        }
    }

    @Test("export refuses an existing file unless replacing, which swaps it whole", arguments: PoolKind.allCases)
    func exportReplacing(kind: PoolKind) async throws {
        try await kind.withPool { pool in
            try await withScratchFolder { folder in
                let source = try await makeSource(in: pool)
                let file = folder + "/disk.vdi"
                try Data("precious".utf8).write(to: URL(fileURLWithPath: file))
                let error = await #expect(throws: JoistError.self) {
                    try await pool.exportImage(source, to: file, format: .vdi, replacing: false, progress: nil)
                }
                #expect(error?.code == .alreadyExists)
                #expect(try String(contentsOfFile: file, encoding: .utf8) == "precious")
                try await pool.exportImage(source, to: file, format: .vdi, replacing: true, progress: nil)
                #expect(try await qemuImg.compare(pool.path(of: source), format: .qcow2, file, format: .vdi))
                let missing = await #expect(throws: JoistError.self) {
                    try await pool.exportImage(try volume("ghost"), to: folder + "/ghost.raw", format: .raw, replacing: false, progress: nil)
                }
                #expect(missing?.code == .notFound)
                #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["disk.vdi"])
            }
        }
    }

    @Test("a cancelled import of a large written image stops qemu-img and leaves nothing", arguments: PoolKind.allCases)
    func cancelledImport(kind: PoolKind) async throws {
        try await kind.withPool { pool in
            try await withScratchFolder { folder in
                let image = try await SlowConvert.largeImage(in: folder)
                let slow = StorageDrivers.backend(kind.driver, root: pool.root, qemuImg: try SlowConvert.qemuImg(in: folder))
                let (reports, report) = AsyncStream.makeStream(of: Double.self)
                let task = Task {
                    try await slow.importImage(from: image, sourceFormat: .qcow2, as: try volume("big"), progress: { report.yield($0) })
                }
                var iterator = reports.makeAsyncIterator()
                let first = try #require(await iterator.next())
                #expect(first < 1, "the import is under way")
                task.cancel()
                await #expect(throws: CancellationError.self) { try await task.value }
                #expect(try pool.volumes().isEmpty)
                #expect(try await pool.sweep().isEmpty, "no temporary is left either")
                #expect(try FileManager.default.contentsOfDirectory(atPath: pool.root + "/volumes/default").isEmpty)
            }
        }
    }

    @Test("a cancelled export stops qemu-img and leaves no file, partial or temporary", arguments: PoolKind.allCases)
    func cancelledExport(kind: PoolKind) async throws {
        try await kind.withPool { pool in
            try await withScratchFolder { folder in
                let image = try await SlowConvert.largeImage(in: folder)
                let big = try volume("big")
                try await pool.importImage(from: image, sourceFormat: .qcow2, as: big, progress: nil)
                let slow = StorageDrivers.backend(kind.driver, root: pool.root, qemuImg: try SlowConvert.qemuImg(in: folder))
                let exports = folder + "/exports"
                try FileManager.default.createDirectory(atPath: exports, withIntermediateDirectories: true)
                let (reports, report) = AsyncStream.makeStream(of: Double.self)
                let task = Task {
                    try await slow.exportImage(big, to: exports + "/big.vmdk", format: .vmdk, replacing: false, progress: { report.yield($0) })
                }
                // qemu-img reports 0% before it creates its output; past that, the temporary is being written.
                var iterator = reports.makeAsyncIterator()
                var fraction = 0.0
                while fraction == 0 { fraction = try #require(await iterator.next()) }
                #expect(fraction < 1, "the export is under way")
                #expect(try FileManager.default.contentsOfDirectory(atPath: exports).count == 1, "the temporary being written")
                task.cancel()
                await #expect(throws: CancellationError.self) { try await task.value }
                #expect(try FileManager.default.contentsOfDirectory(atPath: exports).isEmpty)
                #expect(try ImageTemporaries.beside(exports + "/big.vmdk").isEmpty)
            }
        }
    }
}

/// Real qemu-img, slowed down (`convert -r`, its own rate limit) so that a test can cancel a
/// conversion while it runs whatever the machine's speed.
enum SlowConvert {
    /// Bytes per second a slowed convert reads.
    static let rate = 16 << 20

    /// A wrapper script in `folder` that runs qemu-img, adding `-r` to converts.
    static func qemuImg(in folder: String) throws -> QemuImg {
        let real = try #require(QemuImg().executable)
        let script = """
            #!/bin/sh
            if [ "$1" = convert ]; then shift; exec \(real) convert -r \(rate) "$@"; fi
            exec \(real) "$@"

            """
        let path = folder + "/slow-qemu-img"
        try Data(script.utf8).write(to: URL(fileURLWithPath: path))
        #expect(chmod(path, 0o755) == 0)
        return QemuImg(executable: path)
    }

    /// A 4 GiB qcow2 image, sparse but with 1 MiB written every 32 MiB (128 MiB of data): many seconds
    /// of work at `rate`.
    static func largeImage(in folder: String) async throws -> String {
        let path = folder + "/large.qcow2"
        try await QemuImg().create(path, format: .qcow2, size: 4 << 30)
        let writes = stride(from: UInt64(0), to: 4 << 30, by: Int(32 * mebibyte)).enumerated().flatMap { index, offset in
            ["-c", "write -P \(index % 255 + 1) \(offset) 1M"]
        }
        try await Tool.run("qemu-io", ["-f", "qcow2"] + writes + [path])
        return path
    }
}
