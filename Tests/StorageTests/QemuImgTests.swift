import Foundation
import JoistCore
import Storage
import Testing

@Suite("qemu-img client")
struct QemuImgTests {
    let qemuImg = QemuImg()
    /// 64 MiB and one sector: sizes no format's geometry rounds to by chance.
    static let oddSize: UInt64 = 64 * mebibyte + 512

    @Test("create and info: format, exact virtual size, and a backing file recorded as given")
    func createAndInfo() async throws {
        try await withScratchFolder { folder in
            try await qemuImg.create(folder + "/base.qcow2", format: .qcow2, size: Self.oddSize)
            try await qemuImg.create(folder + "/disk.raw", format: .raw, size: Self.oddSize)
            let base = try await qemuImg.info(folder + "/base.qcow2", format: .qcow2)
            #expect(base.format == "qcow2")
            #expect(base.virtualSize == Self.oddSize)
            #expect(try await qemuImg.info(folder + "/disk.raw", format: .raw).virtualSize == Self.oddSize)
            let backing = QemuImg.Backing(path: "base.qcow2", format: .qcow2)
            try await qemuImg.create(folder + "/overlay.qcow2", format: .qcow2, size: Self.oddSize, backing: backing)
            let overlay = try await qemuImg.info(folder + "/overlay.qcow2", format: .qcow2)
            #expect(overlay.backingFilename == "base.qcow2")
            #expect(overlay.fullBackingFilename == folder + "/base.qcow2")
            #expect(overlay.backingFilenameFormat == "qcow2")
        }
    }

    @Test("resize grows, and shrinks only when asked to")
    func resize() async throws {
        try await withScratchFolder { folder in
            let path = folder + "/disk.qcow2"
            try await qemuImg.create(path, format: .qcow2, size: 64 * mebibyte)
            try await qemuImg.resize(path, format: .qcow2, size: 96 * mebibyte, shrink: false)
            #expect(try await qemuImg.info(path, format: .qcow2).virtualSize == 96 * mebibyte)
            let refused = await #expect(throws: JoistError.self) {
                try await qemuImg.resize(path, format: .qcow2, size: 32 * mebibyte, shrink: false)
            }
            #expect(refused?.message.hasPrefix("qemu-img resize failed: ") == true)
            #expect(refused?.message.contains("--shrink") == true)
            try await qemuImg.resize(path, format: .qcow2, size: 32 * mebibyte, shrink: true)
            #expect(try await qemuImg.info(path, format: .qcow2).virtualSize == 32 * mebibyte)
        }
    }

    @Test("convert to every format keeps the data and the exact size, with progress", arguments: ImageFileFormat.allCases)
    func convertRoundTrip(format: ImageFileFormat) async throws {
        try await withScratchFolder { folder in
            let source = folder + "/source.qcow2"
            try await qemuImg.create(source, format: .qcow2, size: Self.oddSize)
            try await Tool.write(source, format: .qcow2, pattern: 0x5a, offset: 3 * mebibyte, length: 2 * mebibyte)
            let destination = folder + "/export." + format.fileExtension
            let progress = ProgressLog()
            try await qemuImg.convert(from: source, sourceFormat: .qcow2, to: destination, format: format, progress: progress.record)
            #expect(try await qemuImg.info(destination, format: format).virtualSize == Self.oddSize)
            #expect(try await qemuImg.compare(source, format: .qcow2, destination, format: format))
            #expect(progress.values.last == 1)
            #expect(progress.values == progress.values.sorted())
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder).sorted() == ["export." + format.fileExtension, "source.qcow2"])
        }
    }

    @Test("convert refuses to replace an existing file")
    func convertKeepsExisting() async throws {
        try await withScratchFolder { folder in
            try await qemuImg.create(folder + "/a.qcow2", format: .qcow2, size: mebibyte)
            try Data("precious".utf8).write(to: URL(fileURLWithPath: folder + "/b.raw"))
            let error = await #expect(throws: JoistError.self) {
                try await qemuImg.convert(from: folder + "/a.qcow2", sourceFormat: .qcow2, to: folder + "/b.raw", format: .raw)
            }
            #expect(error?.code == .alreadyExists)
            #expect(try String(contentsOfFile: folder + "/b.raw", encoding: .utf8) == "precious")
        }
    }

    @Test("a failed convert leaves no file behind")
    func convertFailure() async throws {
        try await withScratchFolder { folder in
            try Data("not an image".utf8).write(to: URL(fileURLWithPath: folder + "/bad.qcow2"))
            let error = await #expect(throws: JoistError.self) {
                try await qemuImg.convert(from: folder + "/bad.qcow2", sourceFormat: .qcow2, to: folder + "/out.raw", format: .raw)
            }
            #expect(error?.code == .hostFailure)
            #expect(error?.message.hasPrefix("qemu-img convert failed: ") == true)
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["bad.qcow2"])
        }
    }

    @Test("a cancelled convert stops qemu-img and leaves no partial file")
    func convertCancelled() async throws {
        try await withScratchFolder { folder in
            // Stands in for a long convert: writes part of its output, reports progress, then runs on.
            let fake = folder + "/qemu-img"
            let script = "#!/bin/sh\nfor last; do :; done\necho partial > \"$last\"\nprintf '    (10.00/100%%)\\r'\nexec sleep 1000\n"
            try Data(script.utf8).write(to: URL(fileURLWithPath: fake))
            #expect(chmod(fake, 0o755) == 0)
            let images = folder + "/images"
            try FileManager.default.createDirectory(atPath: images, withIntermediateDirectories: true)
            let (started, signal) = AsyncStream.makeStream(of: Double.self)
            let task = Task {
                try await QemuImg(executable: fake).convert(
                    from: images + "/source.qcow2", sourceFormat: .qcow2, to: images + "/out.raw", format: .raw
                ) { signal.yield($0) }
            }
            var iterator = started.makeAsyncIterator()
            #expect(await iterator.next() == 0.1)
            #expect(try FileManager.default.contentsOfDirectory(atPath: images).count == 1)
            task.cancel()
            await #expect(throws: CancellationError.self) { try await task.value }
            #expect(try FileManager.default.contentsOfDirectory(atPath: images).isEmpty)
        }
    }

    @Test("measure says what a conversion needs")
    func measure() async throws {
        try await withScratchFolder { folder in
            let source = folder + "/disk.qcow2"
            try await qemuImg.create(source, format: .qcow2, size: 64 * mebibyte)
            try await Tool.write(source, format: .qcow2, pattern: 1, length: 8 * mebibyte)
            let raw = try await qemuImg.measure(source, format: .qcow2, target: .raw)
            #expect(raw.fullyAllocated == 64 * mebibyte)
            let qcow2 = try await qemuImg.measure(source, format: .qcow2, target: .qcow2)
            #expect(qcow2.required >= 8 * mebibyte)
            #expect(qcow2.required < qcow2.fullyAllocated)
        }
    }

    @Test("compare tells equal from different data, and fails on a missing image")
    func compare() async throws {
        try await withScratchFolder { folder in
            try await qemuImg.create(folder + "/a.qcow2", format: .qcow2, size: mebibyte)
            try await qemuImg.create(folder + "/b.raw", format: .raw, size: mebibyte)
            #expect(try await qemuImg.compare(folder + "/a.qcow2", format: .qcow2, folder + "/b.raw", format: .raw))
            try await Tool.write(folder + "/b.raw", format: .raw, pattern: 7, length: 512)
            #expect(try await !qemuImg.compare(folder + "/a.qcow2", format: .qcow2, folder + "/b.raw", format: .raw))
            let error = await #expect(throws: JoistError.self) {
                try await qemuImg.compare(folder + "/a.qcow2", format: .qcow2, folder + "/missing", format: .raw)
            }
            #expect(error?.message.hasPrefix("qemu-img compare failed: ") == true)
        }
    }

    @Test("a failing qemu-img is a hostFailure quoting it; a missing one names the package")
    func failures() async throws {
        try await withScratchFolder { folder in
            let fake = folder + "/qemu-img"
            try Data("#!/bin/sh\necho 'qemu-img: Could not create: boom' >&2\nexit 1\n".utf8).write(to: URL(fileURLWithPath: fake))
            #expect(chmod(fake, 0o755) == 0)
            let failing = await #expect(throws: JoistError.self) {
                try await QemuImg(executable: fake).create(folder + "/x.qcow2", format: .qcow2, size: mebibyte)
            }
            #expect(failing == .hostFailure("qemu-img create failed: qemu-img: Could not create: boom"))
            let missing = await #expect(throws: JoistError.self) {
                try await QemuImg(executable: nil).info(folder + "/x.qcow2", format: .qcow2)
            }
            #expect(missing?.code == .unsupported)
        }
    }

    @Test("file extensions map to formats", arguments: [
        ("vhd", ImageFileFormat.vpc), ("VMDK", .vmdk), ("img", .raw), ("qcow2", .qcow2), ("vhdx", .vhdx), ("vdi", .vdi),
    ])
    func fileExtensions(fileExtension: String, format: ImageFileFormat) {
        #expect(ImageFileFormat(fileExtension: fileExtension) == format)
        #expect(ImageFileFormat(fileExtension: format.fileExtension) == format)
    }
}

@Suite("qemu-img snapshot")
struct QemuImgSnapshotTests {
    @Test("the format is given in --image-opts form, the tag as its own argument, commas in the path doubled")
    func arguments() {
        #expect(
            QemuImg.snapshotArguments(.create, tag: "s1", path: "/pool/a,b.qcow2")
                == ["snapshot", "-q", "--image-opts", "-c", "s1", "driver=qcow2,file.driver=file,file.filename=/pool/a,,b.qcow2"])
    }

    @Test("create, list, apply and delete an internal snapshot of a real image")
    func realImage() async throws {
        try await withScratchFolder { folder in
            let path = folder + "/d,1.qcow2"
            let qemuImg = QemuImg()
            try await qemuImg.create(path, format: .qcow2, size: 1 << 20)
            try await qemuImg.snapshot(.create, tag: "s1", path: path)
            let listed = try await qemuImg.snapshots(of: path)
            #expect(listed.map(\.name) == ["s1"] && listed.first?.vmStateSize == 0)
            try await qemuImg.snapshot(.apply, tag: "s1", path: path)
            try await qemuImg.snapshot(.delete, tag: "s1", path: path)
            #expect(try await qemuImg.snapshots(of: path).isEmpty)
            await #expect(throws: JoistError.self) { try await qemuImg.snapshot(.apply, tag: "s1", path: path) }
        }
    }
}
