import Foundation
public import JoistAPI
public import JoistCore
import Storage

extension ImageManager {
    /// Creates a volume in `pool` for `project` as a copy-on-write clone of a disk image (a qcow2
    /// overlay reading the image file; see `StorageManager.createVolume(fromImage:…)`), while the image
    /// is held so it cannot be deleted meanwhile. ISO images are refused: they attach as CD-ROMs.
    public func createVolume(
        fromImage reference: String, name: String, pool: String, project: String, size: ByteSize? = nil
    ) async throws -> StorageVolume {
        let fingerprint = try entry(reference).record.fingerprint
        return try await exclusive(fingerprint) {
            let record = try entry(fingerprint).record
            guard record.type == .disk else {
                throw JoistError.invalidArgument("\(record.phrase) is an ISO image: attach it as a CD-ROM rather than making a volume of it")
            }
            return try await storage.createVolume(fromImage: try source(of: record), name: name, pool: pool, project: project, size: size)
        }
    }

    /// Puts the ISO image `reference` into `instance`'s CD-ROM drive: returns its fingerprint, which
    /// the instance records, and records the instance as a reader, so the image is not deleted while
    /// the drive holds it. Disk images are refused (they are launched, not inserted).
    public func insertCDROM(_ reference: String, into instance: InstanceKey) async throws -> String {
        let fingerprint = try entry(reference).record.fingerprint
        return try await exclusive(fingerprint) {
            let record = try entry(fingerprint).record
            guard record.type == .iso else {
                throw JoistError.invalidArgument(
                    "\(record.phrase) is a disk image, not an ISO: launch from it (joist launch) or make a volume of it; only ISO images go into the CD-ROM drive")
            }
            await storage.useImage(fingerprint, by: instance)
            return fingerprint
        }
    }

    /// Turns a volume into a new image: `qemu-img convert` to qcow2 flattens its backing chain (an
    /// image it was made from, linked clones' sources) into one standalone file, which is hashed and
    /// stored like an import. The volume must not be in use by a running guest (qemu-img refuses a
    /// locked file); it is held (no resize, no delete) while it is read.
    ///
    /// Progress: `converting` (bytes of the volume's size), then `hashing` (bytes of the new file).
    public func publish(
        _ volume: VolumeReference, project: String, alias: String?, progress: TransferProgressHandler? = nil
    ) async throws -> ImportedImage {
        let alias = try alias.map(Self.validate(alias:))
        if let alias, let owner = aliases[alias] { throw Self.aliasTaken(alias, by: owner, images) }
        let staged = files.stagingPath("publish") + ".qcow2"
        do {
            try await convert(volume, project: project, to: staged, progress: progress)
            let size = try files.fileSize(staged)
            let fingerprint = try await files.digest(of: staged) { progress?(TransferProgress(stage: "hashing", fraction: $0, of: size)) }
            let origin = "volume \(volume)" + (project == Project.defaultName ? "" : " of project \(project)")
            return try await importStaged(StagedFile(path: staged, fingerprint: fingerprint, size: size), origin: origin, alias: alias)
        } catch {
            unlink(staged)
            throw error
        }
    }

    /// Converts the volume's file to a standalone qcow2 at `destination`, if the state directory has room.
    private func convert(_ volume: VolumeReference, project: String, to destination: String, progress: TransferProgressHandler?) async throws {
        let files = self.files, qemuImg = self.qemuImg, reserve = self.reserve
        try await storage.withVolumeFile(volume, project: project) { path, format, size in
            let needed = try await qemuImg.measure(path, format: ImageFileFormat(format), target: .qcow2).required
            try files.checkSpace(needs: needed, reserve: reserve)
            try await qemuImg.convert(from: path, sourceFormat: ImageFileFormat(format), to: destination, format: .qcow2) {
                progress?(TransferProgress(stage: "converting", fraction: $0, of: size.bytes))
            }
        }
    }
}
