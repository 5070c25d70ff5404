import Activity
import Foundation
import JoistAPI
import JoistCore
import JoistTesting
import Storage
import Testing

@testable import Daemon

/// Imports and exports in the storage manager: records, quotas, undo, staging and what a start sweeps.
/// The pools are fakes; the image files imported are real (qemu-img inspects them).
@Suite("Storage: import and export")
struct StorageTransferTests {
    /// A qcow2 image of `size` in a fresh folder (removed with the fixture's state directory).
    static func image(_ fixture: StorageFixture, size: String = "16M", name: String = "disk.qcow2") async throws -> String {
        let folder = fixture.stateDirectory + "-files"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let path = folder + "/" + name
        try await Tool.qemuImg(["create", "-q", "-f", "qcow2", path, size])
        return path
    }

    static func cleanUp(_ fixture: StorageFixture) {
        try? FileManager.default.removeItem(atPath: fixture.stateDirectory)
        try? FileManager.default.removeItem(atPath: fixture.stateDirectory + "-files")
    }

    let data = VolumeReference(pool: "default", name: "data")

    @Test("the API's image file formats are the drivers', with the same names and file extensions")
    func formats() {
        #expect(VolumeFileFormat.allCases.map(\.rawValue) == ImageFileFormat.allCases.map(\.rawValue))
        for format in VolumeFileFormat.allCases {
            #expect(ImageFileFormat(format).rawValue == format.rawValue)
            #expect(VolumeFileFormat(ImageFileFormat(format)) == format)
            #expect(ImageFileFormat(format).fileExtension == format.fileExtension)
            #expect(VolumeFileFormat(fileExtension: format.fileExtension) == format)
        }
    }

    @Test("an import is recorded like a create: its virtual size counts against the project, and it is announced")
    func importRecords() async throws {
        let fixture = try await StorageFixture.make()
        defer { Self.cleanUp(fixture) }
        let subscription = fixture.events.subscribe(EventFilter(types: [.lifecycle]))
        let path = try await Self.image(fixture, size: "48M")
        let source = try await fixture.manager.inspectImport(path, format: nil, origin: .hostFile)
        #expect(source == ImportSource(path: path, label: path, format: .qcow2, virtualSize: .mebibytes(48)))
        let progress = Recorder<Double>()
        let volume = try await fixture.manager.importVolume(source, as: data, project: "team", format: .raw, progress: progress.append)
        #expect(volume.format == .raw && volume.size == .mebibytes(48) && volume.project == "team")
        #expect(progress.all.last == 1)
        #expect(fixture.defaultPool.stored[try fixture.handle("data", in: "team")]?.size == 48 << 20)
        #expect(try await fixture.diskUsage("team") == .mebibytes(48))
        let again = await #expect(throws: JoistError.self) {
            _ = try await fixture.manager.importVolume(source, as: data, project: "team", format: nil)
        }
        #expect(again?.code == .alreadyExists)
        let target = await #expect(throws: JoistError.self) { try await fixture.manager.checkImportTarget(data, project: "team") }
        #expect(target?.code == .alreadyExists)
        fixture.events.unsubscribe(subscription.id)
        let events = await subscription.events.reduce(into: []) { $0.append($1.lifecycle) }
        #expect(events.contains { $0?.action == "volume-created" && $0?.reason == "imported from a qcow2 image" })
    }

    @Test("an import over the project's limit or the pool's space is refused and leaves nothing")
    func importRefusals() async throws {
        let fixture = try await StorageFixture.make(capacity: 30 << 30, teamDisk: .gibibytes(10))
        defer { Self.cleanUp(fixture) }
        let big = try await fixture.manager.inspectImport(try await Self.image(fixture, size: "20G"), format: .qcow2, origin: .hostFile)
        let quota = await #expect(throws: JoistError.self) {
            _ = try await fixture.manager.importVolume(big, as: data, project: "team", format: nil)
        }
        #expect(quota?.code == .quotaExceeded)
        let huge = try await fixture.manager.inspectImport(try await Self.image(fixture, size: "40G", name: "huge.qcow2"), format: nil, origin: .hostFile)
        let space = await #expect(throws: JoistError.self) {
            _ = try await fixture.manager.importVolume(huge, as: data, project: "default", format: nil)
        }
        #expect(space?.message.hasPrefix("cannot import \(huge.path) as volume default/data: pool default has 30GiB free") == true, "\(space?.message ?? "")")
        #expect(fixture.defaultPool.stored.isEmpty)
        #expect(try await fixture.diskUsage("team") == ByteSize(bytes: 0))
        #expect(!fixture.defaultPool.calls.contains(.importImage), "nothing was converted")
    }

    @Test("a failed or cancelled import gives back its quota and its name")
    func importUndo() async throws {
        let fixture = try await StorageFixture.make()
        defer { Self.cleanUp(fixture) }
        let source = try await fixture.manager.inspectImport(try await Self.image(fixture), format: nil, origin: .hostFile)
        fixture.defaultPool.fail(.importImage, with: .hostFailure("qemu-img convert failed: disk full"))
        let failed = await #expect(throws: JoistError.self) {
            _ = try await fixture.manager.importVolume(source, as: data, project: "team", format: nil)
        }
        #expect(failed?.message == "qemu-img convert failed: disk full")
        #expect(try await fixture.diskUsage("team") == ByteSize(bytes: 0))

        fixture.defaultPool.hold(.importImage)
        let started = Recorder<Double>()
        let manager = fixture.manager
        let target = data
        let task = Task { try await manager.importVolume(source, as: target, project: "team", format: nil, progress: started.append) }
        #expect(await eventually { started.all == [0.1] })
        #expect(try await fixture.diskUsage("team") == .mebibytes(16), "reserved while it runs")
        task.cancel()
        await #expect(throws: CancellationError.self) { _ = try await task.value }
        #expect(try await fixture.diskUsage("team") == ByteSize(bytes: 0))
        #expect(fixture.defaultPool.stored.isEmpty)
        try await fixture.manager.checkImportTarget(data, project: "team")
    }

    @Test("uploads that read other files on the host are refused; a host file may; missing, folders and empty images are refused")
    func inspectRefusals() async throws {
        let fixture = try await StorageFixture.make()
        defer { Self.cleanUp(fixture) }
        let base = try await Self.image(fixture, name: "base.qcow2")
        let overlay = (base as NSString).deletingLastPathComponent + "/overlay.qcow2"
        try await Tool.qemuImg(["create", "-q", "-f", "qcow2", "-b", "base.qcow2", "-F", "qcow2", overlay])
        let upload = await #expect(throws: JoistError.self) { try await fixture.manager.inspectImport(overlay, format: nil, origin: .upload) }
        #expect(upload?.code == .invalidArgument)
        #expect(upload?.message == "cannot import the uploaded image: it is a qcow2 image that reads other files (\(base)); upload a self-contained image, e.g. made with qemu-img convert")
        #expect(try await fixture.manager.inspectImport(overlay, format: nil, origin: .hostFile).virtualSize == .mebibytes(16))

        let empty = (base as NSString).deletingLastPathComponent + "/empty.img"
        try Data().write(to: URL(fileURLWithPath: empty))
        let cases: [(String, JoistError.Code, String)] = [
            ("disk.qcow2", .invalidArgument, "cannot import 'disk.qcow2': expected an absolute path on joistd's host"),
            ("/nonexistent/disk.vmdk", .notFound, "cannot import /nonexistent/disk.vmdk: there is no such file on joistd's host"),
            (fixture.stateDirectory + "-files", .invalidArgument, "cannot import \(fixture.stateDirectory)-files: it is a folder, not an image file"),
            (empty, .invalidArgument, "cannot import \(empty): the image is empty"),
        ]
        for (path, code, message) in cases {
            let error = await #expect(throws: JoistError.self) { try await fixture.manager.inspectImport(path, format: nil, origin: .hostFile) }
            #expect(error == JoistError(code, message))
        }
    }

    @Test("exports to host files: refused where they must not write, written through the driver otherwise")
    func exportToFile() async throws {
        let fixture = try await StorageFixture.make()
        defer { Self.cleanUp(fixture) }
        try await fixture.create("data", size: "1GiB", format: .qcow2)
        let folder = fixture.stateDirectory + "-files"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try Data("mine".utf8).write(to: URL(fileURLWithPath: folder + "/taken.vdi"))
        let refusals: [(String, JoistError.Code)] = [
            ("out.vdi", .invalidArgument), (folder + "/", .invalidArgument), ("/nonexistent/out.vdi", .notFound),
            (folder + "/taken.vdi", .alreadyExists), (folder, .invalidArgument),
            (fixture.stateDirectory + "/out.vdi", .invalidArgument), (fixture.stateDirectory + "/storage/default/volumes/default/x.qcow2", .notFound),
        ]
        try FileManager.default.createDirectory(atPath: fixture.stateDirectory, withIntermediateDirectories: true)
        for (path, code) in refusals {
            let error = await #expect(throws: JoistError.self) {
                try await fixture.manager.exportVolume(data, project: "default", to: path, format: .vdi, replacing: false)
            }
            #expect(error?.code == code, "\(path): \(error?.message ?? "")")
        }
        let inside = await #expect(throws: JoistError.self) { try await fixture.manager.checkExportDestination(fixture.stateDirectory + "/out.vdi", replacing: false) }
        #expect(inside?.message == "cannot export to \(fixture.stateDirectory)/out.vdi: it is inside the folder of joistd's state directory; choose a folder of your own")

        let progress = Recorder<Double>()
        try await fixture.manager.exportVolume(data, project: "default", to: folder + "/taken.vdi", format: .vdi, replacing: true, progress: progress.append)
        let written = try String(contentsOfFile: folder + "/taken.vdi", encoding: .utf8)
        #expect(written == FakeStorageBackend.exportContents(try fixture.handle("data", format: .qcow2), format: .vdi, size: 1 << 30))
        #expect(progress.all.last == 1)
        #expect(try FileManager.default.contentsOfDirectory(atPath: fixture.manager.staging.folder).isEmpty, "the note is gone")
        let missing = await #expect(throws: JoistError.self) {
            try await fixture.manager.exportVolume(data, project: "team", to: folder + "/x.raw", format: .raw, replacing: false)
        }
        #expect(missing?.code == .notFound, "team has no volume data")
    }

    @Test("exports for download are kept in staging for their project until discarded or expired")
    func stagedExports() async throws {
        let fixture = try await StorageFixture.make()
        defer { Self.cleanUp(fixture) }
        try await fixture.create("data", size: "1GiB", format: .qcow2, in: "team")
        let staged = try await fixture.manager.stageExport(data, project: "team", format: .vpc, id: "op-1")
        #expect(staged.fileName == "data.vhd")
        #expect(staged.path == fixture.manager.staging.folder + "/export-op-1.vhd")
        #expect(staged.bytes == UInt64(try Data(contentsOf: URL(fileURLWithPath: staged.path)).count))
        #expect(try await fixture.manager.stagedExport("op-1", project: "team") == staged)
        let elsewhere = await #expect(throws: JoistError.self) { try await fixture.manager.stagedExport("op-1", project: "default") }
        #expect(elsewhere == .notFound("export op-1 not found"))
        try await fixture.manager.discardExport("op-1", project: "team")
        #expect(!FileManager.default.fileExists(atPath: staged.path))
        await #expect(throws: JoistError.self) { try await fixture.manager.stagedExport("op-1", project: "team") }

        let old = try await fixture.manager.stageExport(data, project: "team", format: .raw, id: "op-2")
        await fixture.manager.pruneStagedExports(now: old.expiresAt)
        #expect(!FileManager.default.fileExists(atPath: old.path))
        await #expect(throws: JoistError.self) { try await fixture.manager.stagedExport("op-2", project: "team") }
    }

    @Test("a start removes what interrupted transfers left: uploads, exports and the temporaries beside noted files")
    func startSweepsStaging() async throws {
        let fixture = try await StorageFixture.make()
        defer { Self.cleanUp(fixture) }
        let staging = fixture.manager.staging
        let upload = try staging.newUpload()
        #expect(FileManager.default.createFile(atPath: upload, contents: Data("half an image".utf8)))
        let folder = fixture.stateDirectory + "-files"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let destination = folder + "/disk.vmdk"
        _ = try staging.note(exportTo: destination)
        let temporary = folder + "/.joist-tmp-00000000000000ab-disk.vmdk"
        for path in [temporary, folder + "/keep.vmdk", folder + "/.joist-tmp-00000000000000ab-other.vmdk"] {
            #expect(FileManager.default.createFile(atPath: path, contents: Data("x".utf8)))
        }
        _ = try await fixture.restarted()
        #expect(try FileManager.default.contentsOfDirectory(atPath: staging.folder).isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).sorted() == [".joist-tmp-00000000000000ab-other.vmdk", "keep.vmdk"])
    }
}

/// Host tools these tests drive directly.
enum Tool {
    /// Runs qemu-img; a failure fails the test.
    static func qemuImg(_ arguments: [String]) async throws {
        let result = try await CommandRunner.run("/usr/bin/qemu-img", arguments)
        try #require(result.succeeded, "\(result)")
    }
}
