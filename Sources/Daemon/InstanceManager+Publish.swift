import JoistCore

extension InstanceManager {
    /// Publishes a stopped instance's first volume as a new image (flattened to one qcow2 file, see
    /// `ImageManager.publish`). The instance stays stopped meanwhile: a start waits for the publish.
    public func publish(
        _ name: String, in project: String, alias: String?, images: ImageManager, progress: TransferProgressHandler? = nil
    ) async throws -> ImportedImage {
        try await supervisor(name, in: project).whileStopped(doing: "publish") { spec in
            guard let root = spec.disks.compactMap(\.volume).first else {
                throw JoistError.invalidArgument("instance \(name) has no volume to publish; only pool volumes become images")
            }
            return try await images.publish(root, project: project, alias: alias, progress: progress)
        }
    }
}
