import JoistAPI
import JoistCore
import Storage

extension StorageManager {
    /// The virtual sizes of a pool's recorded volumes added up.
    func allocated(in pool: String) -> UInt64 {
        volumes.values.lazy.filter { $0.record.pool == pool }.reduce(0) { $0 + $1.record.size.bytes }
    }

    /// The backend's handle of a recorded volume (its names were validated when it was made).
    func handle(for record: VolumeRecord) throws(JoistError) -> VolumeHandle {
        try VolumeHandle(project: record.project, name: record.name, format: record.format)
    }

    /// Bytes each volume takes on disk now. A volume that cannot be measured is logged and counts as zero.
    func onDisk(_ keys: [VolumeKey], backend: any StorageBackend) -> [VolumeKey: UInt64] {
        var sizes: [VolumeKey: UInt64] = [:]
        for key in keys {
            guard let record = volumes[key]?.record, let handle = try? handle(for: record) else { continue }
            do {
                sizes[key] = try backend.bytesOnDisk(handle)
            } catch {
                logger.warning("cannot measure volume \(key): \(error)")
                sizes[key] = 0
            }
        }
        return sizes
    }

    /// Claims `size` bytes of virtual size in the pool for a change in flight, or throws
    /// (`invalidState`) why they do not fit, prefixed by `what`. Give them back with `releaseSpace`.
    ///
    /// The pool's space and its volumes' bytes on disk are measured first; the decision is then taken
    /// without suspending, against the volumes recorded and the claims made by that time, so two
    /// concurrent creates can never both take the last room.
    func reserveSpace(_ size: UInt64, in pool: String, refusing what: String) async throws {
        let entry = try poolEntry(pool)
        let space = try entry.backend.space()
        let keys = volumes.keys.filter { $0.pool == pool }
        let used = onDisk(Array(keys), backend: entry.backend).values.reduce(0, +)
        let usage = StoragePoolUsage(
            capacity: space.capacity, free: space.free, used: used, allocated: allocated(in: pool) + inFlight[pool, default: 0])
        if let reason = usage.refusal(adding: size, pool: pool, overcommit: entry.pool.overcommit) {
            throw JoistError.invalidState("\(what): \(reason)")
        }
        inFlight[pool, default: 0] += size
    }

    /// Gives back what `reserveSpace` claimed.
    func releaseSpace(_ size: UInt64, in pool: String) {
        let left = inFlight[pool, default: 0] - min(size, inFlight[pool, default: 0])
        inFlight[pool] = left == 0 ? nil : left
    }

    /// Runs `body` while no other change of the volume runs; later changes wait their turn, in order.
    ///
    /// Actor isolation alone does not serialize changes that suspend (a resize awaiting the backend
    /// would let a delete of the same volume in); this does, without keeping anything for volumes
    /// nobody is changing.
    func exclusive<T: Sendable>(_ key: VolumeKey, _ body: () async throws -> T) async throws -> T {
        if busy[key] == nil {
            busy[key] = []
        } else {
            await withCheckedContinuation { busy[key, default: []].append($0) }
        }
        defer { handOver(key) }
        return try await body()
    }

    /// Wakes the next change waiting for the volume, or marks it free.
    private func handOver(_ key: VolumeKey) {
        guard var waiters = busy[key], !waiters.isEmpty else {
            busy.removeValue(forKey: key)
            return
        }
        let next = waiters.removeFirst()
        busy[key] = waiters
        next.resume()
    }
}
