import Foundation
import JoistAPI
import JoistCore
import JoistTesting
import Testing

@testable import Daemon

@Suite("Storage pools")
struct StoragePoolTests {
    @Test("the default pool exists from the first start, under the state directory, once")
    func defaultPool() async throws {
        let fixture = try await StorageFixture.make()
        let pools = await fixture.manager.listPools(visibleTo: nil)
        #expect(pools.map(\.pool.name) == ["default"])
        #expect(pools.first?.pool.path == fixture.stateDirectory + "/storage/default")
        #expect(pools.first?.pool.driver == .dir)
        #expect(fixture.defaultPool.isPrepared)
        let again = try await fixture.restarted()
        #expect(await again.manager.listPools(visibleTo: nil).map(\.pool.name) == ["default"])
        let error = await #expect(throws: JoistError.self) { try await again.manager.deletePool("default") }
        #expect(error?.message == "the default storage pool cannot be deleted")
    }

    @Test(
        "pool paths must be absolute, normalized and apart from every other pool and the state directory",
        arguments: [
            ("srv/pool", "must be absolute"),
            ("/", "cannot be the root folder"),
            ("/srv//pool", "must be normalized: it has an empty component"),
            ("/srv/pool/", "must be normalized: it has an empty component"),
            ("/srv/./pool", "must be normalized: it has '.'"),
            ("/srv/../etc", "must be normalized: it has '..'"),
            ("/srv/joist-a", "is the folder of storage pool a"),
            ("/srv/joist-a/inner", "overlaps the folder of storage pool a"),
            ("/srv", "contains the folder of storage pool a"),
            ("/srv/bad\npath", "must not contain control characters"),
            ("STATE/storage/other", "overlaps joistd's state directory"),
            ("STATE-parent", "contains the folder of storage pool default"),
        ])
    func pathRules(path: String, message: String) async throws {
        let fixture = try await StorageFixture.make()
        _ = try await fixture.manager.createPool(StoragePoolCreate(name: "a", driver: .dir, path: "/srv/joist-a"))
        let parent = (fixture.stateDirectory as NSString).deletingLastPathComponent
        let path = path.replacingOccurrences(of: "STATE-parent", with: parent).replacingOccurrences(of: "STATE", with: fixture.stateDirectory)
        let error = await #expect(throws: JoistError.self) {
            _ = try await fixture.manager.createPool(StoragePoolCreate(name: "b", driver: .dir, path: path))
        }
        #expect(error?.code == .invalidArgument)
        #expect(error?.message.contains(message) == true, "\(error?.message ?? "")")
        #expect(await fixture.manager.listPools(visibleTo: nil).map(\.pool.name) == ["a", "default"])
        // A sibling whose name merely starts the same is a folder of its own.
        _ = try await fixture.manager.createPool(StoragePoolCreate(name: "b", driver: .dir, path: "/srv/joist-ab"))
    }

    @Test("pool names, drivers' refusals and overcommit ratios are checked; a refused pool leaves nothing")
    func createRefusals() async throws {
        let fixture = try await StorageFixture.make()
        let manager = fixture.manager
        await #expect(throws: JoistError.self) { _ = try await manager.createPool(StoragePoolCreate(name: "bad/name", driver: .dir, path: "/srv/x")) }
        for ratio in [0, -1, 101, .infinity, .nan] as [Double] {
            let error = await #expect(throws: JoistError.self) {
                _ = try await manager.createPool(StoragePoolCreate(name: "thin", driver: .dir, path: "/srv/thin", overcommit: ratio))
            }
            #expect(error?.message.contains("overcommit") == true)
        }
        fixture.backend("/srv/btr").fail(.prepare, with: .invalidArgument("/srv/btr is not on a btrfs filesystem"))
        let refused = await #expect(throws: JoistError.self) {
            _ = try await manager.createPool(StoragePoolCreate(name: "btr", driver: .btrfs, path: "/srv/btr"))
        }
        #expect(refused?.message == "/srv/btr is not on a btrfs filesystem")
        #expect(await manager.listPools(visibleTo: nil).map(\.pool.name) == ["default"])
        _ = try await manager.createPool(StoragePoolCreate(name: "btr", driver: .btrfs, path: "/srv/btr"))
        let duplicate = await #expect(throws: JoistError.self) {
            _ = try await manager.createPool(StoragePoolCreate(name: "btr", driver: .dir, path: "/srv/other"))
        }
        #expect(duplicate?.code == .alreadyExists)
    }

    @Test("a pool whose record cannot be written removes the folders it prepared")
    func createUndo() async throws {
        let fixture = try await StorageFixture.make()
        fixture.store.failNextWrite(under: "/storage/pools/")
        await #expect(throws: FailingStore.Refused.self) {
            _ = try await fixture.manager.createPool(StoragePoolCreate(name: "data", driver: .dir, path: "/srv/data"))
        }
        #expect(fixture.backend("/srv/data").calls == [.prepare, .destroy])
        #expect(!fixture.backend("/srv/data").isPrepared)
        _ = try await fixture.manager.createPool(StoragePoolCreate(name: "data", driver: .dir, path: "/srv/data"))
        #expect(fixture.backend("/srv/data").isPrepared)
    }

    @Test("a pool that holds volumes is not deleted; once empty it is, with its folders")
    func deleteRefusals() async throws {
        let fixture = try await StorageFixture.make()
        let manager = fixture.manager
        _ = try await manager.createPool(StoragePoolCreate(name: "data", driver: .dir, path: "/srv/data"))
        try await fixture.create("one", pool: "data")
        try await fixture.create("two", pool: "data", in: "team")
        let error = await #expect(throws: JoistError.self) { try await manager.deletePool("data") }
        #expect(error?.code == .invalidState)
        #expect(error?.message == "storage pool data still holds 2 volume(s) (one, team/two); delete them first")
        try await manager.deleteVolume(VolumeReference(pool: "data", name: "one"), project: "default")
        try await manager.deleteVolume(VolumeReference(pool: "data", name: "two"), project: "team")

        fixture.backend("/srv/data").fail(.destroy)
        await #expect(throws: JoistError.self) { try await manager.deletePool("data") }
        #expect(try await manager.poolInfo("data", visibleTo: nil).pool.path == "/srv/data", "a failed destroy keeps the pool")
        try await manager.deletePool("data")
        #expect(!fixture.backend("/srv/data").isPrepared)
        let gone = await #expect(throws: JoistError.self) { _ = try await manager.poolInfo("data", visibleTo: nil) }
        #expect(gone?.code == .notFound)
        #expect(try await fixture.restarted().manager.listPools(visibleTo: nil).map(\.pool.name) == ["default"])
    }

    @Test("pool info reports space, used and allocated bytes, and only the volumes the caller's project holds")
    func info() async throws {
        let fixture = try await StorageFixture.make(capacity: 50 << 30)
        try await fixture.create("a", size: "4GiB")
        try await fixture.create("b", size: "2GiB", in: "team")
        fixture.defaultPool.write(try fixture.handle("a"), bytes: 1 << 30)
        let all = try await fixture.manager.poolInfo("default", visibleTo: nil)
        #expect(all.usage == StoragePoolUsage(capacity: 50 << 30, free: 49 << 30, used: 1 << 30, allocated: 6 << 30))
        #expect(all.volumes == [StorageVolumeEntry(project: "default", name: "a"), StorageVolumeEntry(project: "team", name: "b")])
        let team = try await fixture.manager.poolInfo("default", visibleTo: "team")
        #expect(team.volumes == [StorageVolumeEntry(project: "team", name: "b")])
        #expect(team.usage == all.usage)
    }
}
