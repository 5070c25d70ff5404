public import JoistCore

extension StorageManager {
    /// Records that `instance` (of `project`) uses the volume, so it cannot be deleted meanwhile.
    ///
    /// A volume belongs to one instance at a time: two guests writing one image would corrupt it (and
    /// QEMU's image locking would refuse the second anyway, but only once it starts).
    public func attach(_ reference: VolumeReference, project: String, instance: String) throws {
        let key = VolumeKey(reference, project: project)
        _ = try volumeEntry(key)
        if let other = users[key]?.first(where: { $0 != instance }) {
            throw JoistError.invalidState("\(key.phrase) is used by instance \(other); a volume belongs to one instance at a time")
        }
        users[key, default: []].insert(instance)
    }

    /// Records that `instance` no longer uses the volume.
    public func detach(_ reference: VolumeReference, project: String, instance: String) {
        let key = VolumeKey(reference, project: project)
        users[key]?.remove(instance)
        if users[key]?.isEmpty == true { users.removeValue(forKey: key) }
    }

    /// The instances that use the volume, sorted.
    public func users(of reference: VolumeReference, project: String) -> [String] {
        users[VolumeKey(reference, project: project)]?.sorted() ?? []
    }

    /// The image file QEMU opens for the volume, and its format.
    public func locate(_ reference: VolumeReference, project: String) throws -> (path: String, format: DiskFormat) {
        let key = VolumeKey(reference, project: project)
        let entry = try volumeEntry(key)
        return (try poolEntry(key.pool).backend.path(of: try handle(for: entry.record)), entry.record.format)
    }
}
