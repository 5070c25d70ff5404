extension StorageManager {
    /// Records that `instance` has the image in its CD-ROM drive, so the image is not deleted meanwhile.
    public func useImage(_ fingerprint: String, by instance: InstanceKey) {
        imageReaders[fingerprint, default: []].insert(instance)
    }

    /// Records that `instance` no longer has the image in its drive.
    public func releaseImage(_ fingerprint: String, by instance: InstanceKey) {
        imageReaders[fingerprint]?.remove(instance)
        if imageReaders[fingerprint]?.isEmpty == true { imageReaders.removeValue(forKey: fingerprint) }
    }

    /// The instances with the image in their CD-ROM drive, sorted.
    public func instances(readingImage fingerprint: String) -> [InstanceKey] {
        imageReaders[fingerprint]?.sorted() ?? []
    }
}
