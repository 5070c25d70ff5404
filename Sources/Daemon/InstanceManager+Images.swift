import Foundation
public import JoistAPI
import JoistCore

extension InstanceManager {
    /// Creates an instance; with `request.image`, its first disk is a new volume `NAME-root` in
    /// `request.pool`, a copy-on-write clone of the image (made at once whatever the image's size).
    /// The configuration is checked before the volume is made, and the volume is removed again when
    /// the instance cannot be created.
    public func create(_ request: InstanceCreate, in project: String, images: ImageManager) async throws -> Instance {
        guard let image = request.image else { return try await create(request, in: project) }
        let root = VolumeReference(
            pool: try ResourceName.validate(request.pool ?? StoragePool.defaultName, kind: "pool"),
            name: try ResourceName.validate(try ResourceName.validate(request.name) + "-root", kind: "root volume"))
        var plain = request
        plain.image = nil
        plain.pool = nil
        plain.rootSize = nil
        plain.disks = [root.description] + (request.disks ?? [])
        try Self.spec(from: plain).validate(host: env.host, fileExists: { FileManager.default.fileExists(atPath: $0) })
        let size = try request.rootSize.map { text throws(JoistError) in try ByteSize(parsing: text) }
        _ = try await images.createVolume(fromImage: image, name: root.name, pool: root.pool, project: project, size: size)
        do {
            return try await create(plain, in: project)
        } catch {
            do {
                try await storage.deleteVolume(root, project: project)
            } catch let cleanup {
                env.logger.error("cannot remove volume \(root) of a launch that failed: \(cleanup)")
            }
            throw error
        }
    }
}
