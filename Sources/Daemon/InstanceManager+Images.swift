import Foundation
public import JoistAPI
import JoistCore

extension InstanceManager {
    /// Creates an instance with what the image store provides.
    ///
    /// With `request.image`, its first disk is a new volume `NAME-root` in `request.pool`, a
    /// copy-on-write clone of the image (made at once whatever the image's size), which the instance
    /// owns: deleting the instance deletes it. With `request.cdrom`, the ISO image goes into its CD-ROM
    /// drive. The configuration is checked before the volume is made, and what was made is undone when
    /// the instance cannot be created.
    public func create(_ request: InstanceCreate, in project: String, images: ImageManager) async throws -> Instance {
        guard request.image != nil || request.cdrom != nil else { return try await create(request, in: project) }
        let name = try ResourceName.validate(request.name)
        let key = InstanceKey(project: project, name: name)
        var plain = request
        plain.image = nil
        plain.pool = nil
        plain.rootSize = nil
        var root: VolumeReference?
        if request.image != nil {
            let volume = VolumeReference(
                pool: try ResourceName.validate(request.pool ?? StoragePool.defaultName, kind: "pool"),
                name: try ResourceName.validate(name + "-root", kind: "root volume"))
            plain.disks = [volume.description] + (request.disks ?? [])
            root = volume
        }
        // Checked with a stand-in fingerprint: the real one is known once the image is resolved.
        var check = plain
        if check.cdrom != nil { check.cdrom = String(repeating: "0", count: 64) }
        try Self.spec(from: check).validate(host: env.host, fileExists: { FileManager.default.fileExists(atPath: $0) })

        var reverter = Reverter(logger: env.logger)
        do {
            if let reference = request.cdrom {
                let fingerprint = try await images.insertCDROM(reference, into: key)
                plain.cdrom = fingerprint
                reverter.add("release image \(fingerprint.prefix(12))") { [storage] in await storage.releaseImage(fingerprint, by: key) }
            }
            if let root, let image = request.image {
                let size = try request.rootSize.map { text throws(JoistError) in try ByteSize(parsing: text) }
                _ = try await images.createVolume(fromImage: image, name: root.name, pool: root.pool, project: project, size: size)
                reverter.add("remove volume \(root) of a launch that failed") { [storage] in
                    try await storage.deleteVolume(root, project: project)
                }
            }
            return try await create(plain, in: project, owning: root.map { [$0] } ?? [])
        } catch {
            await reverter.revert()
            throw error
        }
    }
}
