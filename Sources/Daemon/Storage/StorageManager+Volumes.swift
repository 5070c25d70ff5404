import Foundation
public import JoistAPI
public import JoistCore
import Storage
import Store

extension StorageManager {
    /// Creates an empty volume in `pool` for `project`: the name is checked, the size must fit in the
    /// pool and in the project's `disk` limit; a failed step undoes the others.
    public func createVolume(_ request: StorageVolumeCreate, pool: String, project: String) async throws -> StorageVolume {
        let name = try ResourceName.validate(request.name, kind: "volume")
        let size = try ByteSize(parsing: request.size)
        try Self.validate(size: size)
        let handle = try VolumeHandle(project: project, name: name, format: request.format ?? .qcow2)
        let key = VolumeKey(project: project, pool: pool, name: name)
        let entry = try poolEntry(pool)
        try claim(key)
        defer { pending.remove(key) }
        try await addVolume(key, handle: handle, size: size, refusing: "cannot create \(key.phrase)") {
            try await entry.backend.create(handle, size: size.bytes)
            return nil
        }
        logger.info("created \(key.phrase) (\(handle.format.rawValue), \(size))")
        publishVolume("volume-created", key)
        return try await volume(key.reference, project: project)
    }

    /// Deletes a volume; refused while an instance uses it or linked clones read its data.
    public func deleteVolume(_ reference: VolumeReference, project: String) async throws {
        let key = VolumeKey(reference, project: project)
        try await exclusive(key) { try await performDelete(key) }
    }

    private func performDelete(_ key: VolumeKey) async throws {
        let entry = try volumeEntry(key)
        let pool = try poolEntry(key.pool)
        if let users = users[key], !users.isEmpty {
            let names = users.sorted().joined(separator: ", ")
            throw JoistError.invalidState("\(key.phrase) is used by instance\(users.count > 1 ? "s" : "") \(names); detach it first")
        }
        let dependents = dependents(of: key)
        guard dependents.isEmpty else {
            throw JoistError.invalidState(
                "\(key.phrase) has linked clones that read its data (\(dependents.map(\.description).joined(separator: ", "))); delete them first")
        }
        // The record goes first: a crash before the file is gone leaves a file that the next start adopts.
        volumes.removeValue(forKey: key)
        do {
            try await store.delete(VolumeRecord.key(key), expect: .modRevision(entry.revision))
        } catch {
            volumes[key] = entry
            throw error
        }
        do {
            try await pool.backend.delete(try handle(for: entry.record))
        } catch {
            // The file is still there: so is the volume.
            let data = try APICoding.encoder().encode(entry.record)
            if let revision = try? await store.put(VolumeRecord.key(key), data, expect: .absent) {
                volumes[key] = VolumeEntry(record: entry.record, revision: revision)
            }
            throw error
        }
        await projects.release(.volume(entry.record.size), in: key.project)
        logger.info("deleted \(key.phrase)")
        publishVolume("volume-deleted", key)
    }

    /// One volume, with its bytes on disk, its dependents and users.
    public func volume(_ reference: VolumeReference, project: String) async throws -> StorageVolume {
        let key = VolumeKey(reference, project: project)
        let entry = try volumeEntry(key)
        let pool = try poolEntry(key.pool)
        let allocated = onDisk([key], backend: pool.backend)[key] ?? 0
        return view(entry.record, allocated: allocated)
    }

    /// The project's volumes in `pool` (in every pool when nil), sorted by pool and name.
    public func volumes(in project: String, pool: String? = nil) async throws -> [StorageVolume] {
        if let pool { _ = try poolEntry(pool) }
        var views: [StorageVolume] = []
        for (name, entry) in pools.sorted(by: { $0.key < $1.key }) where pool == nil || pool == name {
            let keys = volumes.keys.filter { $0.pool == name && $0.project == project }.sorted()
            let sizes = onDisk(keys, backend: entry.backend)
            views += keys.compactMap { key in volumes[key].map { view($0.record, allocated: sizes[key] ?? 0) } }
        }
        return views
    }

    /// Reserves room in the pool and the project, runs `make` (which puts the volume's file in place and
    /// says which volume it is linked to, if any), then records the volume. A failed step undoes the
    /// finished ones, newest first. The caller has claimed `key` (`claim`).
    func addVolume(
        _ key: VolumeKey, handle: VolumeHandle, size: ByteSize, refusing what: String,
        make: () async throws -> VolumeReference?
    ) async throws {
        try await addVolume(key, handle: handle, size: size, refusing: what) { VolumeLinks(volume: try await make()) }
    }

    /// `addVolume`, where `make` also says which image the new volume reads, if any.
    func addVolume(
        _ key: VolumeKey, handle: VolumeHandle, size: ByteSize, refusing what: String, make: () async throws -> VolumeLinks
    ) async throws {
        let backend = try poolEntry(key.pool).backend
        try await reserveSpace(size.bytes, in: key.pool, refusing: what)
        defer { releaseSpace(size.bytes, in: key.pool) }
        let projects = self.projects
        var undo = Reverter(logger: logger)
        do {
            try await projects.reserve(.volume(size), in: key.project)
            undo.add("give back \(size) of project \(key.project)'s disk") { await projects.release(.volume(size), in: key.project) }
            let links = try await make()
            undo.add("delete the new volume \(key)") { try await backend.delete(handle) }
            let record = VolumeRecord(
                pool: key.pool, name: key.name, project: key.project, format: handle.format, size: size, linkedTo: links.volume,
                image: links.image, createdAt: Date())
            let revision = try await store.put(VolumeRecord.key(key), try APICoding.encoder().encode(record), expect: .absent)
            volumes[key] = VolumeEntry(record: record, revision: revision)
        } catch {
            await undo.revert()
            if case StoreError.conflict = error { throw Self.exists(key) }
            throw error
        }
    }

    /// Claims a name for a volume being made, or throws `alreadyExists`; release it from `pending`.
    func claim(_ key: VolumeKey) throws(JoistError) {
        guard volumes[key] == nil, !pending.contains(key) else { throw Self.exists(key) }
        pending.insert(key)
    }

    func volumeEntry(_ key: VolumeKey) throws(JoistError) -> VolumeEntry {
        guard let entry = volumes[key] else { throw .notFound("volume \(key) not found\(key.projectSuffix)") }
        return entry
    }

    /// The linked clones that read `key`'s data, sorted.
    func dependents(of key: VolumeKey) -> [VolumeReference] {
        volumes.values.filter { $0.record.project == key.project && $0.record.linkedTo == key.reference }.map(\.record.key.reference).sorted()
    }

    func view(_ record: VolumeRecord, allocated: UInt64) -> StorageVolume {
        StorageVolume(
            pool: record.pool, name: record.name, project: record.project, format: record.format, size: record.size,
            allocated: allocated, linkedTo: record.linkedTo, image: record.image, dependents: dependents(of: record.key),
            usedBy: users[record.key]?.sorted() ?? [], createdAt: record.createdAt)
    }

    static func exists(_ key: VolumeKey) -> JoistError { .alreadyExists("\(key.phrase) already exists") }

    /// Sizes are whole 512-byte sectors (what disk images hold), at least one MiB.
    static func validate(size: ByteSize) throws(JoistError) {
        guard size.bytes >= 1 << 20 else { throw .invalidArgument("a volume must be at least 1MiB, not \(size)") }
        guard size.bytes % 512 == 0 else { throw .invalidArgument("a volume's size must be a multiple of 512 bytes, not \(size.bytes) bytes") }
    }
}
