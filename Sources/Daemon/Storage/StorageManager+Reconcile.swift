import Foundation
import JoistAPI
import JoistCore
import Storage

extension StorageManager {
    /// Settles what interrupted operations left in a pool, logging each change: the backend sweeps its
    /// temporaries; a volume file without a record (a crash between "renamed into place" and "record
    /// written") is adopted; a record whose file is gone is forgotten; a record whose size differs from
    /// its file's (a crash inside a resize) takes the file's size.
    ///
    /// Project usage follows every change. A pool whose volumes cannot be listed (an unmounted
    /// filesystem) is left as it is.
    func reconcile(_ name: String) async {
        guard let entry = pools[name] else { return }
        do {
            for path in try await entry.backend.sweep() {
                logger.notice("storage pool \(name): removed \(path), left by an interrupted operation")
            }
        } catch {
            logger.warning("storage pool \(name): cannot sweep leftovers: \(error)")
        }
        let found: [VolumeHandle]
        do {
            found = try entry.backend.volumes()
        } catch {
            logger.warning("storage pool \(name) at \(entry.pool.path) is unavailable: \(error)")
            return
        }
        let onDisk = Dictionary(found.map { (VolumeKey(project: $0.project, pool: name, name: $0.name), $0) }) { first, _ in first }
        for key in volumes.keys.sorted() where key.pool == name && onDisk[key] == nil {
            await forget(key)
        }
        for key in onDisk.keys.sorted() where volumes[key] == nil {
            if let handle = onDisk[key] { await adopt(handle, as: key, backend: entry.backend, siblings: found) }
        }
        for key in volumes.keys.sorted() where key.pool == name {
            await settleSize(key, backend: entry.backend)
        }
    }

    private func forget(_ key: VolumeKey) async {
        logger.warning("\(key.phrase) has no file in its pool any more; forgetting its record")
        do {
            try await store.delete(VolumeRecord.key(key), expect: .any)
            if let entry = volumes.removeValue(forKey: key) { await projects.release(.volume(entry.record.size), in: key.project) }
        } catch {
            logger.error("cannot forget \(key.phrase): \(error)")
        }
    }

    /// Records a volume found on disk, linked to the volume of the same pool and project whose file is
    /// its backing file, if any.
    private func adopt(_ handle: VolumeHandle, as key: VolumeKey, backend: any StorageBackend, siblings: [VolumeHandle]) async {
        do {
            let info = try await backend.inspect(handle)
            let backing = info.fullBackingFilename.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
            let base = backing.flatMap { path in
                siblings.first { $0.project == handle.project && URL(fileURLWithPath: backend.path(of: $0)).standardizedFileURL.path == path }
            }
            let record = VolumeRecord(
                pool: key.pool, name: key.name, project: key.project, format: handle.format,
                size: ByteSize(bytes: info.virtualSize), linkedTo: base.map { VolumeReference(pool: key.pool, name: $0.name) },
                image: imageFingerprint(ofBacking: info.fullBackingFilename), createdAt: Date())
            let revision = try await store.put(VolumeRecord.key(key), try APICoding.encoder().encode(record), expect: .absent)
            volumes[key] = VolumeEntry(record: record, revision: revision)
            await projects.adopt(.volume(record.size), in: key.project)
            logger.notice("adopted \(key.phrase) (\(record.size)), found on disk without a record")
        } catch {
            logger.error("cannot adopt \(key.phrase) found on disk: \(error)")
        }
    }

    private func settleSize(_ key: VolumeKey, backend: any StorageBackend) async {
        guard let entry = volumes[key] else { return }
        do {
            let size = ByteSize(bytes: try await backend.inspect(try handle(for: entry.record)).virtualSize)
            guard var current = volumes[key], size != current.record.size else { return }
            let recorded = current.record.size
            current.record.size = size
            current.revision = try await store.put(
                VolumeRecord.key(key), try APICoding.encoder().encode(current.record), expect: .modRevision(current.revision))
            volumes[key] = current
            await projects.adopt(.volume(size) + -.volume(recorded), in: key.project)
            logger.notice("\(key.phrase) is \(size) on disk but was recorded as \(recorded); recorded \(size)")
        } catch {
            logger.warning("cannot inspect \(key.phrase): \(error)")
        }
    }
}
