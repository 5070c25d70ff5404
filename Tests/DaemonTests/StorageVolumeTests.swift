import Foundation
import JoistAPI
import JoistCore
import JoistTesting
import Testing

@testable import Daemon

@Suite("Storage volumes")
struct StorageVolumeTests {
    @Test("without overcommit a volume fits only while every volume could still be fully written")
    func fitRule() async throws {
        let fixture = try await StorageFixture.make(capacity: 10 << 30)
        try await fixture.create("a", size: "6GiB")
        fixture.defaultPool.write(try fixture.handle("a"), bytes: 5 << 30)
        // Writing does not make room: a's unwritten 1GiB is still owed.
        try await fixture.create("b", size: "4GiB")
        let error = await #expect(throws: JoistError.self) { try await fixture.create("c", size: "1MiB") }
        #expect(error?.code == .invalidState)
        #expect(error?.message == "cannot create volume default/c: pool default has 0B free once its volumes are fully written, the volume needs 1MiB")
        #expect(fixture.defaultPool.stored.count == 2)
        #expect(try await fixture.diskUsage() == .gibibytes(10))
        // Other files on the filesystem count too.
        try await fixture.manager.deleteVolume(VolumeReference(pool: "default", name: "b"), project: "default")
        fixture.defaultPool.setSpace(capacity: 10 << 30, otherUsed: 3 << 30)
        let crowded = await #expect(throws: JoistError.self) { try await fixture.create("c", size: "2GiB") }
        #expect(crowded?.message.hasSuffix("pool default has 1GiB free once its volumes are fully written, the volume needs 2GiB") == true)
    }

    @Test("with overcommit the volumes' sizes may reach the ratio times the capacity, and no more")
    func overcommit() async throws {
        let fixture = try await StorageFixture.make(capacity: 10 << 30, teamDisk: .gibibytes(100))
        _ = try await fixture.manager.createPool(StoragePoolCreate(name: "thin", driver: .dir, path: "/srv/thin", overcommit: 2))
        fixture.backend("/srv/thin").setSpace(capacity: 10 << 30)
        try await fixture.create("a", size: "15GiB", pool: "thin")
        try await fixture.create("b", size: "5GiB", pool: "thin", in: "team")
        let error = await #expect(throws: JoistError.self) { try await fixture.create("c", size: "1MiB", pool: "thin") }
        #expect(error?.message == "cannot create volume thin/c: pool thin allows 20GiB of volumes (2 × 10GiB) and already holds 20GiB, the volume needs 1MiB")
        let grow = await #expect(throws: JoistError.self) {
            _ = try await fixture.manager.resize(VolumeReference(pool: "thin", name: "a"), project: "default", to: .gibibytes(16), allowShrink: false)
        }
        #expect(grow?.message.hasPrefix("cannot grow volume thin/a to 16GiB: pool thin allows 20GiB") == true, "\(grow?.message ?? "")")
    }

    @Test("volumes count against their project's disk limit; refusals and deletes give the room back")
    func quota() async throws {
        let fixture = try await StorageFixture.make(teamDisk: .gibibytes(10))
        try await fixture.create("a", size: "6GiB", in: "team")
        let error = await #expect(throws: JoistError.self) { try await fixture.create("b", size: "5GiB", in: "team") }
        #expect(error?.code == .quotaExceeded)
        #expect(error?.message == "project team would exceed its limit (disk: 11GiB of 10GiB)")
        #expect(fixture.defaultPool.stored.keys.map(\.name) == ["a"], "a refused volume leaves no file")
        let a = VolumeReference(pool: "default", name: "a")
        _ = try await fixture.manager.resize(a, project: "team", to: .gibibytes(10), allowShrink: false)
        let grow = await #expect(throws: JoistError.self) {
            _ = try await fixture.manager.resize(a, project: "team", to: .gibibytes(11), allowShrink: false)
        }
        #expect(grow?.code == .quotaExceeded)
        #expect(try await fixture.diskUsage("team") == .gibibytes(10))
        _ = try await fixture.manager.resize(a, project: "team", to: .gibibytes(4), allowShrink: true)
        #expect(try await fixture.diskUsage("team") == .gibibytes(4))
        try await fixture.create("b", size: "5GiB", in: "team")
        try await fixture.manager.deleteVolume(a, project: "team")
        #expect(try await fixture.diskUsage("team") == .gibibytes(5))
        let held = await #expect(throws: JoistError.self) { try await fixture.projects.delete("team") }
        #expect(held?.message == "project team still holds volumes of 5GiB; delete them first")
        // Another project's volumes are invisible from here.
        let b = VolumeReference(pool: "default", name: "b")
        #expect(try await fixture.manager.volume(b, project: "team").project == "team")
        let hidden = await #expect(throws: JoistError.self) { _ = try await fixture.manager.volume(b, project: "default") }
        #expect(hidden?.code == .notFound)
    }

    @Test("names, sizes and formats are validated before anything is made", arguments: [
        ("bad_name", "1GiB", "volume name 'bad_name' may only contain ASCII letters, digits and '-'"),
        ("ok", "lots", "invalid size 'lots'"),
        ("ok", "1000KiB", "a volume must be at least 1MiB, not 1000KiB"),
        ("ok", "1048577", "a volume's size must be a multiple of 512 bytes, not 1048577 bytes"),
    ])
    func validation(name: String, size: String, message: String) async throws {
        let fixture = try await StorageFixture.make()
        let error = await #expect(throws: JoistError.self) { try await fixture.create(name, size: size) }
        #expect(error?.message.hasPrefix(message) == true, "\(error?.message ?? "")")
        #expect(fixture.defaultPool.stored.isEmpty)
        let missing = await #expect(throws: JoistError.self) { try await fixture.create("ok", pool: "nope") }
        #expect(missing?.message == "storage pool nope not found")
    }

    @Test("a volume an instance uses, or that linked clones read, is not deleted")
    func deleteRefusals() async throws {
        let fixture = try await StorageFixture.make()
        let manager = fixture.manager
        try await fixture.create("data", format: .qcow2)
        let data = VolumeReference(pool: "default", name: "data")
        try await manager.attach(data, project: "default", instance: "web-1")
        let used = await #expect(throws: JoistError.self) { try await manager.deleteVolume(data, project: "default") }
        #expect(used?.code == .invalidState)
        #expect(used?.message == "volume default/data is used by instance web-1; detach it first")
        #expect(try await manager.volume(data, project: "default").usedBy == ["web-1"])
        await manager.detach(data, project: "default", instance: "web-1")

        let clone = try await manager.clone(data, project: "default", to: "data-2", linked: true)
        #expect(clone.linkedTo == data)
        #expect(try await manager.volume(data, project: "default").dependents == [VolumeReference(pool: "default", name: "data-2")])
        let linked = await #expect(throws: JoistError.self) { try await manager.deleteVolume(data, project: "default") }
        #expect(linked?.message == "volume default/data has linked clones that read its data (default/data-2); delete them first")
        try await manager.deleteVolume(clone.reference, project: "default")
        try await manager.deleteVolume(data, project: "default")
        #expect(fixture.defaultPool.stored.isEmpty)
        let attach = await #expect(throws: JoistError.self) { try await manager.attach(data, project: "default", instance: "web-1") }
        #expect(attach?.code == .notFound)
    }

    @Test("shrinking needs allowShrink and never happens under linked clones; growing goes live when asked")
    func resize() async throws {
        let fixture = try await StorageFixture.make()
        let manager = fixture.manager
        try await fixture.create("disk", size: "4GiB", format: .qcow2)
        let disk = VolumeReference(pool: "default", name: "disk")
        let shrink = await #expect(throws: JoistError.self) {
            _ = try await manager.resize(disk, project: "default", to: .gibibytes(2), allowShrink: false)
        }
        #expect(shrink?.code == .invalidArgument)
        #expect(shrink?.message.hasPrefix("shrinking volume default/disk from 4GiB to 2GiB loses whatever the guest keeps") == true)

        try await manager.attach(disk, project: "default", instance: "web-1")
        let asked = Recorder<[String]>()
        let grown = try await manager.resize(disk, project: "default", to: .gibibytes(8), allowShrink: false) { instances, size in
            asked.append(instances)
            return size == 8 << 30
        }
        #expect(grown.size == .gibibytes(8))
        #expect(asked.all == [["web-1"]])
        #expect(!fixture.defaultPool.calls.contains(.resize), "a live resize does not go through the backend")
        // When no instance using it runs, the backend resizes it.
        _ = try await manager.resize(disk, project: "default", to: .gibibytes(9), allowShrink: false) { _, _ in false }
        #expect(fixture.defaultPool.stored[try fixture.handle("disk", format: .qcow2)]?.size == 9 << 30)
        await manager.detach(disk, project: "default", instance: "web-1")

        _ = try await manager.clone(disk, project: "default", to: "child", linked: true)
        let under = await #expect(throws: JoistError.self) {
            _ = try await manager.resize(disk, project: "default", to: .gibibytes(1), allowShrink: true)
        }
        #expect(under?.message == "volume default/disk cannot shrink: linked clones read its data (default/child)")
        #expect(try await manager.volume(disk, project: "default").size == .gibibytes(9))
    }

    @Test("a full copy reports progress and stands alone; a raw volume cannot be linked, so it is copied")
    func clones() async throws {
        let fixture = try await StorageFixture.make()
        try await fixture.create("raw-disk", size: "2GiB", format: .raw)
        let reports = Recorder<Double>()
        let copy = try await fixture.manager.clone(
            VolumeReference(pool: "default", name: "raw-disk"), project: "default", to: "copy", linked: true, progress: reports.append)
        #expect(copy.linkedTo == nil)
        #expect(copy.size == .gibibytes(2))
        #expect(reports.all == [0.5, 1])
        #expect(try await fixture.diskUsage() == .gibibytes(4))
        let taken = await #expect(throws: JoistError.self) {
            _ = try await fixture.manager.clone(VolumeReference(pool: "default", name: "raw-disk"), project: "default", to: "copy", linked: false)
        }
        #expect(taken?.code == .alreadyExists)
        #expect(taken?.message == "volume default/copy already exists")
    }

    @Test("concurrent creates of one name: one wins, the others are told it exists")
    func concurrentSameName() async throws {
        let fixture = try await StorageFixture.make()
        let outcomes = await withTaskGroup(of: String.self) { group in
            for _ in 0..<10 {
                group.addTask {
                    do {
                        try await fixture.create("same")
                        return "created"
                    } catch let error as JoistError {
                        return error.code.rawValue
                    } catch {
                        return "\(error)"
                    }
                }
            }
            return await group.reduce(into: [String]()) { $0.append($1) }
        }
        #expect(outcomes.filter { $0 == "created" }.count == 1)
        #expect(outcomes.filter { $0 == JoistError.Code.alreadyExists.rawValue }.count == 9, "\(outcomes)")
        #expect(fixture.defaultPool.stored.count == 1)
        #expect(try await fixture.diskUsage() == .gibibytes(1))
    }

    @Test("concurrent creates never take more room than the pool has")
    func concurrentSpace() async throws {
        let fixture = try await StorageFixture.make(capacity: 10 << 30)
        let created = await withTaskGroup(of: Bool.self) { group in
            for i in 0..<12 {
                group.addTask { (try? await fixture.create("v\(i)", size: "2GiB")) != nil }
            }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(created == 5)
        #expect(fixture.defaultPool.stored.count == 5)
        #expect(try await fixture.manager.poolInfo("default", visibleTo: nil).usage.allocated == 10 << 30)
    }

    @Test("changes of one volume run one after the other")
    func serializedChanges() async throws {
        let fixture = try await StorageFixture.make()
        try await fixture.create("disk", size: "1GiB")
        let disk = VolumeReference(pool: "default", name: "disk")
        await withTaskGroup(of: Void.self) { group in
            for step in 2...9 {
                group.addTask { _ = try? await fixture.manager.resize(disk, project: "default", to: .gibibytes(UInt64(step)), allowShrink: true) }
            }
            group.addTask { try? await fixture.manager.deleteVolume(disk, project: "default") }
        }
        // Whatever the order, the record, the file and the quota agree.
        let stored = fixture.defaultPool.stored[try fixture.handle("disk")]
        if let volume = try? await fixture.manager.volume(disk, project: "default") {
            #expect(stored?.size == volume.size.bytes)
            #expect(try await fixture.diskUsage() == volume.size)
        } else {
            #expect(stored == nil)
            #expect(try await fixture.diskUsage() == ByteSize(bytes: 0))
        }
    }
}

extension StorageVolume {
    var reference: VolumeReference { VolumeReference(pool: pool, name: name) }
}
