public import JoistAPI
public import JoistCore
import Storage

extension StorageManager {
    /// Resizes a volume in use by a running instance, live (the instance layer maps it to QMP
    /// `block_resize`). Gets the instances using the volume and the new size in bytes; answers
    /// whether it resized the volume, or false when none of them runs (the backend resizes it then).
    public typealias LiveResize = @Sendable (_ instances: [String], _ size: UInt64) async throws -> Bool

    /// Changes a volume's virtual size. Growing must fit in the pool and the project's `disk` limit;
    /// shrinking is refused unless `allowShrink` (and always while linked clones read the volume).
    /// `live`, when given, is asked first whenever instances use the volume.
    public func resize(
        _ reference: VolumeReference, project: String, to size: ByteSize, allowShrink: Bool, live: LiveResize? = nil
    ) async throws -> StorageVolume {
        let key = VolumeKey(reference, project: project)
        try Self.validate(size: size)
        try await exclusive(key) { try await performResize(key, to: size, allowShrink: allowShrink, live: live) }
        return try await volume(reference, project: project)
    }

    private func performResize(_ key: VolumeKey, to size: ByteSize, allowShrink: Bool, live: LiveResize?) async throws {
        var entry = try volumeEntry(key)
        let old = entry.record.size
        guard size != old else { return }
        if size < old {
            guard allowShrink else {
                throw JoistError.invalidArgument(
                    "shrinking \(key.phrase) from \(old) to \(size) loses whatever the guest keeps beyond the new end; allow shrinking to do it anyway")
            }
            let dependents = dependents(of: key)
            guard dependents.isEmpty else {
                throw JoistError.invalidState(
                    "\(key.phrase) cannot shrink: linked clones read its data (\(dependents.map(\.description).joined(separator: ", ")))")
            }
        }
        let backend = try poolEntry(key.pool).backend
        let handle = try handle(for: entry.record)
        let growth = ByteSize(bytes: size > old ? size.bytes - old.bytes : 0)
        if growth.bytes > 0 { try await reserveSpace(growth.bytes, in: key.pool, refusing: "cannot grow \(key.phrase) to \(size)") }
        defer { releaseSpace(growth.bytes, in: key.pool) }
        let projects = self.projects
        var undo = Reverter(logger: logger)
        do {
            if growth.bytes > 0 {
                try await projects.reserve(.volume(growth), in: key.project)
                undo.add("give back \(growth) of project \(key.project)'s disk") { await projects.release(.volume(growth), in: key.project) }
            }
            let instances = users[key]?.sorted() ?? []
            var resizedLive = false
            if let live, !instances.isEmpty { resizedLive = try await live(instances, size.bytes) }
            if !resizedLive {
                try await backend.resize(handle, to: size.bytes, allowShrink: allowShrink)
                undo.add("resize \(key) back to \(old)") { try await backend.resize(handle, to: old.bytes, allowShrink: true) }
            }
            entry.record.size = size
            entry.revision = try await store.put(
                VolumeRecord.key(key), try APICoding.encoder().encode(entry.record), expect: .modRevision(entry.revision))
            volumes[key] = entry
        } catch {
            await undo.revert()
            throw error
        }
        if size < old { await projects.release(.volume(ByteSize(bytes: old.bytes - size.bytes)), in: key.project) }
        logger.info("resized \(key.phrase) from \(old) to \(size)")
        publishVolume("volume-resized", key, reason: "\(old) to \(size)")
    }

    /// Copies a volume to a new one `name` in the same pool and project. With `linked`, the cheapest
    /// copy-on-write clone the driver has: made at once, but the source cannot be deleted while the
    /// clone reads its data. Full copies report their progress (0…1) to `progress`.
    public func clone(
        _ reference: VolumeReference, project: String, to name: String, linked: Bool,
        progress: (@Sendable (Double) -> Void)? = nil
    ) async throws -> StorageVolume {
        let target = VolumeKey(project: project, pool: reference.pool, name: try ResourceName.validate(name, kind: "volume"))
        let source = VolumeKey(reference, project: project)
        // The source's lock keeps it from being resized or deleted while it is read.
        try await exclusive(source) { try await performClone(source, to: target, linked: linked, progress: progress) }
        return try await volume(target.reference, project: project)
    }

    private func performClone(
        _ source: VolumeKey, to target: VolumeKey, linked: Bool, progress: (@Sendable (Double) -> Void)?
    ) async throws {
        let entry = try volumeEntry(source)
        let backend = try poolEntry(source.pool).backend
        try claim(target)
        defer { pending.remove(target) }
        let sourceHandle = try handle(for: entry.record)
        let targetHandle = try VolumeHandle(project: target.project, name: target.name, format: entry.record.format)
        var kind = CloneKind.independent
        try await addVolume(target, handle: targetHandle, size: entry.record.size, refusing: "cannot clone \(source.phrase) to \(target)") {
            kind = try await backend.clone(sourceHandle, to: targetHandle, linked: linked, progress: progress)
            // A linked clone reads the source's image through the source; a copy, only when it kept the
            // backing file (a snapshot does, a converted copy does not).
            let image =
                kind == .linked ? entry.record.image : await image(behind: targetHandle, backend: backend, expected: entry.record.image)
            return VolumeLinks(volume: kind == .linked ? source.reference : nil, image: image)
        }
        logger.info("cloned \(source.phrase) to \(target) (\(kind == .linked ? "linked" : "independent"))")
        publishVolume("volume-created", target, reason: "\(kind == .linked ? "linked clone" : "copy") of \(source)")
    }
}
