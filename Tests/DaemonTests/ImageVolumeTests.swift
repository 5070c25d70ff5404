import Activity
import Daemon
import Foundation
import JoistAPI
import JoistCore
import Storage
import Synchronization
import Testing

@Suite("Images: volumes made from them, and volumes published as images")
struct ImageVolumeTests {
    @Test("a volume from a sparse 10GiB image is an overlay of the image file: no data of its own, whatever the image's size")
    func overlay() async throws {
        let fixture = try await ImageFixture.make()
        defer { fixture.cleanUp() }
        let image = try await fixture.importFile(try await fixture.qcow2("big", size: "10G", pattern: 0x21), alias: "big").image
        // A thin pool: whether 30GiB of volumes would fit on the test machine's disk is beside the point.
        _ = try await fixture.storage.createPool(
            StoragePoolCreate(name: "thin", driver: .dir, path: fixture.directory + "/thin", overcommit: 100))
        let volume = try await fixture.images.createVolume(fromImage: "big", name: "web-root", pool: "thin", project: "default")
        #expect(volume.image == image.fingerprint)
        #expect(volume.format == .qcow2 && volume.size == .gibibytes(10))
        #expect(volume.allocated < 1 << 20, "\(volume.allocated) bytes on disk")
        let file = fixture.directory + "/thin/volumes/default/web-root.qcow2"
        let info = try await QemuImg().info(file, format: .qcow2)
        #expect(info.fullBackingFilename == fixture.imagesFolder + "/\(image.fingerprint).qcow2")
        #expect(info.backingFilenameFormat == "qcow2")
        #expect(try await fixture.reads(file, pattern: 0x21), "the volume reads the image's data")
        #expect(try await fixture.images.image("big", visibleTo: nil).usedBy == [ImageVolume(project: "default", pool: "thin", name: "web-root")])

        let bigger = try await fixture.images.createVolume(fromImage: "big", name: "db-root", pool: "thin", project: "default", size: .gibibytes(20))
        #expect(bigger.size == .gibibytes(20))
        let smaller = await #expect(throws: JoistError.self) {
            try await fixture.images.createVolume(fromImage: "big", name: "tiny", pool: "thin", project: "default", size: .gibibytes(1))
        }
        #expect(smaller?.code == .invalidArgument)
        #expect(try await fixture.storage.volumes(in: "default").map(\.name) == ["db-root", "web-root"])
    }

    @Test("an image cannot be deleted while volumes read it; the error names them, in every project")
    func deleteRefusedWhileLinked() async throws {
        let fixture = try await ImageFixture.make()
        defer { fixture.cleanUp() }
        _ = try await fixture.projects.create(ProjectCreate(name: "team"))
        let image = try await fixture.importFile(try await fixture.qcow2("base"), alias: "base").image
        _ = try await fixture.images.createVolume(fromImage: "base", name: "web-root", pool: "default", project: "default")
        _ = try await fixture.images.createVolume(fromImage: "base", name: "db-root", pool: "default", project: "team")
        let refused = await #expect(throws: JoistError.self) { try await fixture.images.delete("base") }
        #expect(refused?.code == .invalidState)
        #expect(
            refused?.message == "cannot delete image base (\(image.fingerprint.prefix(12))): "
                + "volumes default/web-root, default/db-root (project team) read it; delete them first")
        #expect(try await fixture.images.image("base", visibleTo: "team").usedBy == [ImageVolume(project: "team", pool: "default", name: "db-root")])

        // Copies: a linked clone reads the image through its source; a full copy is flattened.
        _ = try await fixture.storage.clone(VolumeReference(pool: "default", name: "web-root"), project: "default", to: "web-child", linked: true)
        let copy = try await fixture.storage.clone(VolumeReference(pool: "default", name: "web-root"), project: "default", to: "web-copy", linked: false)
        #expect(copy.image == nil)
        #expect(await fixture.storage.volumes(readingImage: image.fingerprint).map(\.name) == ["web-child", "web-root", "db-root"])

        for (project, name) in [("default", "web-child"), ("default", "web-root"), ("team", "db-root")] {
            try await fixture.storage.deleteVolume(VolumeReference(pool: "default", name: name), project: project)
        }
        try await fixture.images.delete("base")
        #expect(try fixture.storedFiles() == [])
        #expect(try await fixture.storage.volume(VolumeReference(pool: "default", name: "web-copy"), project: "default").size == .mebibytes(64))
    }

    @Test("ISO images are attached, not cloned")
    func isoIsNotCloned() async throws {
        let fixture = try await ImageFixture.make()
        defer { fixture.cleanUp() }
        let content = fixture.directory + "/files/seed"
        try FileManager.default.createDirectory(atPath: content, withIntermediateDirectories: true)
        try Data("instance-id: test\n".utf8).write(to: URL(fileURLWithPath: content + "/meta-data"))
        let iso = fixture.directory + "/files/seed.iso"
        try await fixture.tool("genisoimage", ["-quiet", "-output", iso, "-volid", "cidata", "-joliet", "-rock", content])
        let image = try await fixture.importFile(iso, alias: "seed").image
        #expect(image.type == .iso && image.format == .raw && image.sourceFormat == .iso)
        #expect(try fixture.storedFiles() == ["\(image.fingerprint).iso"])
        #expect(try await fixture.images.source(of: "seed").path == fixture.imagesFolder + "/\(image.fingerprint).iso")
        let refused = await #expect(throws: JoistError.self) {
            try await fixture.images.createVolume(fromImage: "seed", name: "cd", pool: "default", project: "default")
        }
        #expect(refused?.message.contains("is an ISO image: attach it as a CD-ROM") == true)
    }

    @Test("publishing a volume flattens its backing chain into a standalone qcow2 image, with progress")
    func publishFlattens() async throws {
        let fixture = try await ImageFixture.make()
        defer { fixture.cleanUp() }
        let base = try await fixture.importFile(try await fixture.qcow2("base", pattern: 0x31), alias: "base").image
        _ = try await fixture.images.createVolume(fromImage: "base", name: "web-root", pool: "default", project: "default")
        let file = fixture.directory + "/state/storage/default/volumes/default/web-root.qcow2"
        try await fixture.tool("qemu-io", ["-f", "qcow2", "-c", "write -P 50 2M 1M", file])

        let stages = Mutex<[String]>([])
        let published = try await fixture.images.publish(
            VolumeReference(pool: "default", name: "web-root"), project: "default", alias: "web-golden",
            progress: { report in stages.withLock { if $0.last != report.stage { $0.append(report.stage) } } })
        #expect(!published.existed)
        #expect(published.image.aliases == ["web-golden"] && published.image.format == .qcow2)
        #expect(published.image.fingerprint != base.fingerprint)
        #expect(stages.withLock { $0 } == ["converting", "hashing"])
        let stored = fixture.imagesFolder + "/\(published.image.fingerprint).qcow2"
        #expect(String(try await fixture.tool("sha256sum", [stored]).prefix(64)) == published.image.fingerprint)
        let info = try await QemuImg().info(stored, format: .qcow2)
        #expect(info.backingFilename == nil, "standalone")
        #expect(try await fixture.reads(stored, pattern: 0x31, at: 0), "the base image's data")
        #expect(try await fixture.reads(stored, pattern: 50, at: 2 << 20), "the volume's own data")
        #expect(try fixture.stagedFiles() == [])

        // The published image stands alone: the base can go once its volume has.
        try await fixture.storage.deleteVolume(VolumeReference(pool: "default", name: "web-root"), project: "default")
        try await fixture.images.delete("base")
        #expect(try await fixture.reads(stored, pattern: 50, at: 2 << 20))
        let taken = await #expect(throws: JoistError.self) {
            try await fixture.images.publish(VolumeReference(pool: "default", name: "nothing"), project: "default", alias: "web-golden")
        }
        #expect(taken?.code == .alreadyExists, "the alias is checked before any copy")
    }

    @Test("a volume found on disk without a record, made from an image, is adopted as reading it")
    func adoptedVolumeKeepsItsImage() async throws {
        let fixture = try await ImageFixture.make()
        defer { fixture.cleanUp() }
        let image = try await fixture.importFile(try await fixture.qcow2("base"), alias: "base").image
        _ = try await fixture.images.createVolume(fromImage: "base", name: "web-root", pool: "default", project: "default")
        // A crash between "file in place" and "record written" leaves the file alone.
        try await fixture.store.delete("/projects/default/volumes/default/web-root")
        let next = try await fixture.restarted()
        #expect(try await next.storage.volume(VolumeReference(pool: "default", name: "web-root"), project: "default").image == image.fingerprint)
        await #expect(throws: JoistError.self) { try await next.images.delete("base") }
    }
}
