import Activity
import Daemon
import Foundation
import JoistAPI
import JoistCore
import Storage
import Testing

@Suite("Images: the content-addressed store")
struct ImageStoreTests {
    @Test("an import is named by the SHA-256 of its bytes; the same bytes again store nothing and add the alias")
    func secondImportIsFree() async throws {
        let fixture = try await ImageFixture.make()
        defer { fixture.cleanUp() }
        let file = try await fixture.qcow2("disk.qcow2")
        let digest = String(try await fixture.tool("sha256sum", [file]).prefix(64))
        let first = try await fixture.importFile(file, alias: "debian-12")
        #expect(!first.existed)
        #expect(first.image.fingerprint == digest)
        #expect(first.image.aliases == ["debian-12"])
        #expect(first.image.type == .disk && first.image.format == .qcow2 && first.image.sourceFormat == .qcow2)
        #expect(first.image.virtualSize == .mebibytes(64))
        #expect(try fixture.storedFiles() == ["\(digest).qcow2"])
        let stored = try FileManager.default.attributesOfItem(atPath: fixture.imagesFolder + "/\(digest).qcow2")
        #expect((stored[.size] as? NSNumber)?.uint64Value == first.image.fileSize)

        let copy = fixture.directory + "/files/same-bytes.img"
        try FileManager.default.copyItem(atPath: file, toPath: copy)
        let second = try await fixture.importFile(copy, alias: "stable")
        #expect(second.existed)
        #expect(second.image.fingerprint == digest)
        #expect(second.image.aliases == ["debian-12", "stable"])
        let again = try await fixture.importFile(copy)
        #expect(again.existed && again.image.aliases == ["debian-12", "stable"])
        #expect(try fixture.storedFiles() == ["\(digest).qcow2"], "stored once")
        #expect(try fixture.stagedFiles() == [], "nothing left in staging")
        #expect(await fixture.images.list(visibleTo: nil).map(\.fingerprint) == [digest])
    }

    @Test("aliases are unique names; an image may have several; images are found by alias, fingerprint or a 12-digit prefix")
    func aliases() async throws {
        let fixture = try await ImageFixture.make()
        defer { fixture.cleanUp() }
        let one = try await fixture.importFile(try await fixture.qcow2("one", pattern: 1), alias: "one").image.fingerprint
        let two = try await fixture.importFile(try await fixture.qcow2("two", pattern: 2)).image.fingerprint
        let images = fixture.images

        #expect(try await images.addAlias("first", to: String(one.prefix(12))).aliases == ["first", "one"])
        #expect(try await images.addAlias("first", to: one).aliases == ["first", "one"], "adding an alias twice changes nothing")
        let taken = await #expect(throws: JoistError.self) { try await images.addAlias("one", to: two) }
        #expect(taken?.code == .alreadyExists)
        #expect(taken?.message == "image alias one already names image \(one.prefix(12)); remove it there first (joist image alias remove one)")
        let taken2 = await #expect(throws: JoistError.self) {
            try await fixture.importFile(try await fixture.qcow2("three", pattern: 3), alias: "first")
        }
        #expect(taken2?.code == .alreadyExists)
        #expect(try fixture.storedFiles().count == 2, "a refused import stores nothing")
        for bad in ["9lives", "has space", "with.dot", String(repeating: "a", count: 64), "end-"] {
            let refused = await #expect(throws: JoistError.self) { try await images.addAlias(bad, to: two) }
            #expect(refused?.code == .invalidArgument, "\(bad)")
        }

        #expect(try await images.image("first", visibleTo: nil).fingerprint == one)
        #expect(try await images.image(two, visibleTo: nil).fingerprint == two)
        let short = await #expect(throws: JoistError.self) { try await images.image(String(two.prefix(8)), visibleTo: nil) }
        #expect(short?.code == .notFound)
        #expect(short?.message.contains("at least 12 digits") == true)
        #expect(await #expect(throws: JoistError.self) { try await images.image("nothing", visibleTo: nil) }?.code == .notFound)

        let mismatch = await #expect(throws: JoistError.self) { try await images.removeAlias("first", of: two) }
        #expect(mismatch?.code == .notFound)
        try await images.removeAlias("first", of: "one")
        #expect(try await images.image(one, visibleTo: nil).aliases == ["one"])
        #expect(await #expect(throws: JoistError.self) { try await images.image("first", visibleTo: nil) }?.code == .notFound)
        _ = try await images.addAlias("first", to: two)
        #expect(try await images.image("first", visibleTo: nil).fingerprint == two, "a removed alias is free again")

        try await images.delete("one")
        #expect(try await images.addAlias("one", to: two).aliases == ["first", "one"], "deleting an image frees its aliases")
        #expect(try fixture.storedFiles() == ["\(two).qcow2"])
    }

    @Test("a failed import leaves nothing: unsupported formats, and a record that cannot be written")
    func failuresLeaveNothing() async throws {
        let fixture = try await ImageFixture.make()
        defer { fixture.cleanUp() }
        let old = fixture.directory + "/files/old.qed"
        try await fixture.tool("qemu-img", ["create", "-q", "-f", "qed", old, "16M"])
        let unsupported = await #expect(throws: JoistError.self) { try await fixture.importFile(old) }
        #expect(unsupported?.code == .unsupported)
        let vmdk = fixture.directory + "/files/disk.vmdk"
        try await fixture.tool("qemu-img", ["convert", "-O", "vmdk", try await fixture.qcow2("source"), vmdk])
        fixture.store.failNextWrite(under: "/images/")
        await #expect(throws: FailingStore.Refused.self) { try await fixture.importFile(vmdk, alias: "vm") }
        #expect(try fixture.storedFiles() == [], "the converted file is removed")
        #expect(try fixture.stagedFiles() == [])
        #expect(await fixture.images.list(visibleTo: nil) == [])
        #expect(try await fixture.store.range(prefix: "/images/").items.isEmpty)

        let imported = try await fixture.importFile(vmdk, alias: "vm")
        #expect(imported.image.sourceFormat == .vmdk && imported.image.format == .qcow2)
        #expect(imported.image.fingerprint == String(try await fixture.tool("sha256sum", [vmdk]).prefix(64)), "named by the bytes given")
        #expect(try fixture.storedFiles() == ["\(imported.image.fingerprint).qcow2"])
    }

    @Test("a restart removes staging files, adopts an image file without a record and forgets a record without a file")
    func restart() async throws {
        let fixture = try await ImageFixture.make()
        defer { fixture.cleanUp() }
        let kept = try await fixture.importFile(try await fixture.qcow2("kept", pattern: 1), alias: "kept").image
        let lost = try await fixture.importFile(try await fixture.qcow2("lost", pattern: 2), alias: "lost").image
        // What a crash leaves: a half upload, a converted file whose record was never written, and
        // (by hand) a record whose file went.
        #expect(FileManager.default.createFile(atPath: fixture.stagingFolder + "/upload-half", contents: Data("half".utf8)))
        let orphan = try await fixture.qcow2("orphan", pattern: 3)
        let orphanName = String(try await fixture.tool("sha256sum", [orphan]).prefix(64))
        try FileManager.default.copyItem(atPath: orphan, toPath: fixture.imagesFolder + "/\(orphanName).qcow2")
        try FileManager.default.removeItem(atPath: fixture.imagesFolder + "/\(lost.fingerprint).qcow2")

        let next = try await fixture.restarted()
        #expect(try fixture.stagedFiles() == [])
        let listed = await next.images.list(visibleTo: nil)
        #expect(Set(listed.map(\.fingerprint)) == [kept.fingerprint, orphanName])
        #expect(listed.first { $0.fingerprint == orphanName }?.aliases == [])
        #expect(listed.first { $0.fingerprint == orphanName }?.virtualSize == .mebibytes(64))
        let found = try await next.images.image("kept", visibleTo: nil)
        #expect(found.fingerprint == kept.fingerprint && found.aliases == ["kept"] && found.fileSize == kept.fileSize)
        #expect(try await next.store.get("/images/aliases/lost") == nil, "the forgotten image's alias is gone")
        _ = try await next.images.addAlias("lost", to: orphanName)
    }
}
