import Foundation
import JoistAPI
import JoistCore
import JoistTesting
import Storage
import Testing

@testable import Daemon

@Suite("Storage: undo and crash recovery")
struct StorageRecoveryTests {
    @Test("a create that fails at the driver or at the record leaves no file, no record and no quota")
    func createUndo() async throws {
        let fixture = try await StorageFixture.make()
        fixture.defaultPool.fail(.create, with: .hostFailure("qemu-img create failed: disk full"))
        let driver = await #expect(throws: JoistError.self) { try await fixture.create("data", in: "team") }
        #expect(driver?.message == "qemu-img create failed: disk full")
        #expect(try await fixture.diskUsage("team") == ByteSize(bytes: 0))

        fixture.store.failNextWrite(under: "/projects/team/volumes/")
        await #expect(throws: FailingStore.Refused.self) { try await fixture.create("data", in: "team") }
        #expect(fixture.defaultPool.stored.isEmpty, "the file the failed create made is deleted")
        #expect(fixture.defaultPool.calls.suffix(2) == [.create, .delete])
        #expect(try await fixture.diskUsage("team") == ByteSize(bytes: 0))
        #expect(try await fixture.manager.volumes(in: "team").isEmpty)
        // The name is free again.
        try await fixture.create("data", in: "team")
        #expect(try await fixture.diskUsage("team") == .gibibytes(1))
    }

    @Test("a clone that fails leaves neither its file nor its quota; the source is untouched")
    func cloneUndo() async throws {
        let fixture = try await StorageFixture.make()
        try await fixture.create("base", size: "2GiB", format: .qcow2, in: "team")
        let base = VolumeReference(pool: "default", name: "base")
        fixture.defaultPool.fail(.clone)
        await #expect(throws: JoistError.self) { _ = try await fixture.manager.clone(base, project: "team", to: "copy", linked: false) }
        fixture.store.failNextWrite(under: "/projects/team/volumes/default/copy")
        await #expect(throws: FailingStore.Refused.self) {
            _ = try await fixture.manager.clone(base, project: "team", to: "copy", linked: true)
        }
        #expect(fixture.defaultPool.stored.keys.map(\.name) == ["base"])
        #expect(try await fixture.diskUsage("team") == .gibibytes(2))
        #expect(try await fixture.manager.volume(base, project: "team").dependents == [])
    }

    @Test("a resize whose record cannot be written is resized back and gives its quota back")
    func resizeUndo() async throws {
        let fixture = try await StorageFixture.make()
        try await fixture.create("disk", size: "2GiB", in: "team")
        let disk = VolumeReference(pool: "default", name: "disk")
        fixture.store.failNextWrite(under: "/projects/team/volumes/")
        await #expect(throws: FailingStore.Refused.self) {
            _ = try await fixture.manager.resize(disk, project: "team", to: .gibibytes(6), allowShrink: false)
        }
        #expect(fixture.defaultPool.stored[try fixture.handle("disk", in: "team")]?.size == 2 << 30)
        #expect(try await fixture.diskUsage("team") == .gibibytes(2))
        #expect(try await fixture.manager.volume(disk, project: "team").size == .gibibytes(2))
    }

    @Test("a delete whose file cannot be removed keeps the volume, its record and its quota")
    func deleteUndo() async throws {
        let fixture = try await StorageFixture.make()
        try await fixture.create("disk", size: "2GiB", in: "team")
        let disk = VolumeReference(pool: "default", name: "disk")
        fixture.defaultPool.fail(.delete)
        await #expect(throws: JoistError.self) { try await fixture.manager.deleteVolume(disk, project: "team") }
        #expect(try await fixture.manager.volume(disk, project: "team").size == .gibibytes(2))
        #expect(try await fixture.diskUsage("team") == .gibibytes(2))
        let next = try await fixture.restarted()
        #expect(try await next.manager.volumes(in: "team").map(\.name) == ["disk"], "the record was written back")
        try await next.manager.deleteVolume(disk, project: "team")
    }

    @Test("the next start sweeps temporaries, adopts files without records, forgets records without files")
    func crashLeftovers() async throws {
        let fixture = try await StorageFixture.make()
        try await fixture.create("kept", size: "1GiB")
        try await fixture.create("vanished", size: "1GiB")
        try await fixture.create("resized", size: "1GiB", in: "team")
        // What crashes leave: files renamed into place but never recorded (one a linked clone), a
        // temporary, a resize that reached the file but not the record; and a file removed by hand.
        let orphan = try fixture.handle("orphan", format: .qcow2)
        fixture.defaultPool.place(orphan, .init(size: 3 << 30, written: 1 << 20))
        fixture.defaultPool.place(try fixture.handle("orphan-clone", format: .qcow2), .init(size: 3 << 30, backing: orphan))
        fixture.defaultPool.place(try fixture.handle("stray", format: .raw, in: "team"), .init(size: 2 << 30))
        fixture.defaultPool.leave(fixture.stateDirectory + "/storage/default/volumes/default/.orphan.tmp")
        fixture.defaultPool.place(try fixture.handle("resized", in: "team"), .init(size: 4 << 30))
        fixture.defaultPool.remove(try fixture.handle("vanished"))

        let next = try await fixture.restarted()
        #expect(try await next.manager.volumes(in: "default").map(\.name) == ["kept", "orphan", "orphan-clone"])
        let clone = try await next.manager.volume(VolumeReference(pool: "default", name: "orphan-clone"), project: "default")
        #expect(clone.linkedTo == VolumeReference(pool: "default", name: "orphan"))
        #expect(clone.format == .qcow2 && clone.size == .gibibytes(3))
        #expect(try await next.manager.volumes(in: "team").map(\.name) == ["resized", "stray"])
        #expect(try await next.manager.volume(VolumeReference(pool: "default", name: "resized"), project: "team").size == .gibibytes(4))
        #expect(try await next.diskUsage("default") == .gibibytes(7))
        #expect(try await next.diskUsage("team") == .gibibytes(6))
        #expect(fixture.defaultPool.calls.filter { $0 == .sweep }.count == 2, "one sweep per start")
        #expect(try await fixture.defaultPool.sweep() == [], "the temporary is gone")

        // Adopted volumes are ordinary volumes: a third start changes nothing.
        let third = try await next.restarted()
        #expect(try await third.manager.volumes(in: "default").map(\.name) == ["kept", "orphan", "orphan-clone"])
        #expect(try await third.diskUsage("team") == .gibibytes(6))
    }

    @Test("a pool whose volumes cannot be listed at start is left as it is")
    func unavailablePool() async throws {
        let fixture = try await StorageFixture.make()
        _ = try await fixture.manager.createPool(StoragePoolCreate(name: "usb", driver: .dir, path: "/media/usb"))
        try await fixture.create("backup", pool: "usb")
        fixture.backend("/media/usb").fail(.volumes, with: .hostFailure("/media/usb is not mounted"))
        let next = try await fixture.restarted()
        #expect(try await next.manager.volumes(in: "default", pool: "usb").map(\.name) == ["backup"])
        #expect(try await next.diskUsage() == .gibibytes(1))
    }
}
