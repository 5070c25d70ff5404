import Foundation
public import JoistAPI
import JoistCore
import Storage
import Store

extension StorageManager {
    /// Creates a pool: checks its name and folder, lets the driver prepare the folder, records it, and
    /// adopts any volumes already in the folder (a pool made again over an old one keeps its volumes).
    public func createPool(_ request: StoragePoolCreate) async throws -> StoragePoolInfo {
        let name = try ResourceName.validate(request.name, kind: "pool")
        let path = try PoolPath.validate(request.path)
        try Self.validate(overcommit: request.overcommit)
        guard pools[name] == nil, poolsInFlight[name] == nil else {
            throw JoistError.alreadyExists("storage pool \(name) already exists")
        }
        try checkPathIsFree(path)
        // Claim the name and folder before suspending, so concurrent creates cannot both take them.
        poolsInFlight[name] = path
        defer { poolsInFlight.removeValue(forKey: name) }
        let backend = makeBackend(request.driver, path)
        let pool = StoragePool(
            name: name, driver: request.driver, path: path, description: request.description ?? "",
            overcommit: request.overcommit, createdAt: Date())
        var undo = Reverter(logger: logger)
        do {
            try await backend.prepare()
            undo.add("remove the folders of pool \(name)") { try await backend.destroy() }
            let revision = try await store.put(Self.poolKey(name), try APICoding.encoder().encode(pool), expect: .absent)
            pools[name] = PoolEntry(pool: pool, revision: revision, backend: backend)
        } catch {
            await undo.revert()
            if case StoreError.conflict = error { throw JoistError.alreadyExists("storage pool \(name) already exists") }
            throw error
        }
        logger.info("created storage pool \(name) (\(pool.driver.rawValue)) at \(path)")
        await reconcile(name)
        publishPool("storage-pool-created", name)
        return try await poolInfo(name, visibleTo: nil)
    }

    /// Deletes an empty pool and the folders its driver made; `default` is never deleted.
    public func deletePool(_ name: String) async throws {
        guard name != StoragePool.defaultName else {
            throw JoistError.invalidState("the default storage pool cannot be deleted")
        }
        let entry = try poolEntry(name)
        let held = (Array(volumes.keys) + pending).filter { $0.pool == name }.sorted()
        guard held.isEmpty else {
            let names = held.prefix(5).map { $0.project == Project.defaultName ? $0.name : "\($0.project)/\($0.name)" }
            throw JoistError.invalidState(
                "storage pool \(name) still holds \(held.count) volume(s) (\(names.joined(separator: ", "))\(held.count > 5 ? ", …" : "")); delete them first")
        }
        // Forget the pool before suspending: from here on, creates in it are refused as not found.
        pools.removeValue(forKey: name)
        do {
            try await store.delete(Self.poolKey(name), expect: .modRevision(entry.revision))
        } catch {
            pools[name] = entry
            throw error
        }
        do {
            try await entry.backend.destroy()
        } catch {
            // The folder is still there: keep the pool so it can be looked at and deleted again.
            if let revision = try? await store.put(Self.poolKey(name), try APICoding.encoder().encode(entry.pool), expect: .absent) {
                pools[name] = PoolEntry(pool: entry.pool, revision: revision, backend: entry.backend)
            }
            throw error
        }
        logger.info("deleted storage pool \(name)")
        publishPool("storage-pool-deleted", name)
    }

    /// Every pool, sorted by name, with its space and the volumes `project` may see (all when nil).
    /// A pool whose space cannot be read (an unmounted filesystem) shows zero capacity and free space.
    public func listPools(visibleTo project: String?) async -> [StoragePoolInfo] {
        var infos: [StoragePoolInfo] = []
        for name in pools.keys.sorted() {
            guard let entry = pools[name] else { continue }
            let space = (try? entry.backend.space()) ?? FilesystemSpace(capacity: 0, free: 0)
            infos.append(await info(entry, space: space, visibleTo: project))
        }
        return infos
    }

    /// One pool with its space and the volumes `project` may see (all when nil).
    public func poolInfo(_ name: String, visibleTo project: String?) async throws -> StoragePoolInfo {
        let entry = try poolEntry(name)
        return await info(entry, space: try entry.backend.space(), visibleTo: project)
    }

    private func info(_ entry: PoolEntry, space: FilesystemSpace, visibleTo project: String?) async -> StoragePoolInfo {
        let keys = volumes.keys.filter { $0.pool == entry.pool.name }.sorted()
        let used = onDisk(keys, backend: entry.backend).values.reduce(0, +)
        let usage = StoragePoolUsage(capacity: space.capacity, free: space.free, used: used, allocated: allocated(in: entry.pool.name))
        let visible = keys.filter { project == nil || $0.project == project }
        return StoragePoolInfo(
            pool: entry.pool, usage: usage, volumes: visible.map { StorageVolumeEntry(project: $0.project, name: $0.name) })
    }

    /// Refuses a folder that overlaps another pool's (or one being created), or joistd's state directory.
    private func checkPathIsFree(_ path: String) throws {
        let taken = pools.values.map { ($0.pool.name, $0.pool.path) } + poolsInFlight.map { ($0.key, $0.value) }
        if let (other, otherPath) = taken.first(where: { PoolPath.conflict(path, $0.1) }) {
            let relation = path == otherPath ? "is" : otherPath.hasPrefix(path + "/") ? "contains" : "overlaps"
            throw JoistError.invalidArgument("pool path \(path) \(relation) the folder of storage pool \(other) (\(otherPath)); pools cannot share files")
        }
        if PoolPath.conflict(path, stateDirectory) {
            throw JoistError.invalidArgument("pool path \(path) overlaps joistd's state directory \(stateDirectory); choose a folder of its own")
        }
    }

    private static func validate(overcommit: Double?) throws(JoistError) {
        guard let overcommit else { return }
        guard overcommit.isFinite, overcommit > 0, overcommit <= 100 else {
            throw .invalidArgument("overcommit must be a ratio above 0 and at most 100 (e.g. 1.5), not \(overcommit)")
        }
    }
}

extension StorageManager {
    /// Every pool's name, driver and folder, by name: what host dashboards measure with `statvfs`.
    public func poolFolders() -> [StoragePool] {
        pools.keys.sorted().compactMap { pools[$0]?.pool }
    }
}
