public import Backup
import Foundation
public import JoistAPI
import JoistCore
import Storage

/// Restoring a backup as a new instance (a stopped copy of the backed-up instance's configuration
/// whose disks are new qcow2 volumes holding the backup's contents), or into the instance itself.
extension InstanceManager {
    /// Restores backup `manifest` of instance `name` as a new, stopped instance `newName`, with the
    /// configuration the backup recorded (for backups made before manifests recorded it: the
    /// instance's current one, so only while it exists). Each volume disk becomes a new volume
    /// `NEWNAME-VOLUME` in the same pool, owned by the new instance (deleted with it); NICs get new MAC
    /// addresses. A disk that is a host file, or that the backup lacks, is refused before anything is
    /// made; a failure later removes the volumes made so far.
    public func restoreBackup(
        _ manifest: BackupManifest, from store: ChunkStore, of name: String, as newName: String, in project: String,
        progress: (@Sendable (BackupProgress) -> Void)? = nil
    ) async throws -> Instance {
        try ResourceName.validate(newName)
        guard supervisors[project]?[newName] == nil else {
            throw JoistError.alreadyExists("instance \(newName) already exists" + (project == Project.defaultName ? "" : " in project \(project)"))
        }
        var spec = try await configuration(of: manifest, instance: name, in: project)
        spec.name = newName
        for index in spec.nics.indices { spec.nics[index].mac = nil }
        var restores: [(index: Int, volume: VolumeReference, disk: BackupManifest.Disk)] = []
        for (index, disk) in spec.disks.enumerated() {
            guard case .volume(let volume) = disk.source else {
                throw JoistError.invalidArgument(
                    "disk \(disk.source) of instance \(name) is a host file; restoring as a new instance makes volumes only")
            }
            guard let backed = manifest.disk(disk.source.description) else {
                throw JoistError.notFound("backup \(manifest.id) has no disk \(disk.source) (it has \(manifest.disks.map(\.name).joined(separator: ", ")))")
            }
            let target = VolumeReference(pool: volume.pool, name: try ResourceName.validate("\(newName)-\(volume.name)", kind: "volume"))
            restores.append((index, target, backed))
        }
        var made: [VolumeReference] = []
        do {
            for restore in restores {
                _ = try await storage.createVolume(
                    StorageVolumeCreate(name: restore.volume.name, size: String(restore.disk.size), format: .qcow2), pool: restore.volume.pool,
                    project: project)
                made.append(restore.volume)
                try await storage.withVolumeFile(restore.volume, project: project) { path, _, _ in
                    try await Self.write(restore.disk.name, of: manifest, from: store, into: path, progress: progress)
                }
                spec.disks[restore.index].source = .volume(restore.volume)
            }
            return try await create(spec: spec, in: project, owning: made)
        } catch {
            for volume in made { try? await storage.deleteVolume(volume, project: project) }
            throw error
        }
    }

    /// Whether instance `name` exists in `project` (its backups are listed either way).
    public func hasInstance(_ name: String, in project: String) -> Bool { supervisors[project]?[name] != nil }

    /// Writes backup `manifest` back into the disks of instance `name`, which must be stopped; see
    /// `InstanceSupervisor.restoreInPlace`.
    public func restoreBackupInPlace(
        _ manifest: BackupManifest, from store: ChunkStore, of name: String, in project: String, force: Bool,
        progress: (@Sendable (BackupProgress) -> Void)? = nil
    ) async throws {
        try await supervisor(name, in: project).restoreInPlace(manifest, from: store, force: force, progress: progress)
    }

    /// The configuration to restore `manifest` with: the one it recorded, else the instance's current one.
    private func configuration(of manifest: BackupManifest, instance name: String, in project: String) async throws -> InstanceSpec {
        if let recorded = manifest.configuration { return recorded }
        guard let supervisor = supervisors[project]?[name] else {
            throw JoistError.invalidState(
                "backup \(manifest.id) of instance \(name) was made before backups recorded their instance's configuration, "
                    + "and instance \(name) no longer exists to lend its own; create instance \(name) again with the same disks "
                    + "and restore the backup into it with --in-place")
        }
        return await supervisor.currentSpec()
    }

    /// Writes a backed-up disk over the empty qcow2 image at `path`: restored to a raw file beside it
    /// (sparse where the backup had zero chunks), converted to qcow2, and renamed over the image.
    private static func write(
        _ disk: String, of manifest: BackupManifest, from store: ChunkStore, into path: String, progress: (@Sendable (BackupProgress) -> Void)?
    ) async throws {
        let raw = path + ".restore.raw"
        try? FileManager.default.removeItem(atPath: raw)
        defer { try? FileManager.default.removeItem(atPath: raw) }
        // Not flushed: the conversion reads it from the page cache and flushes the qcow2 it writes.
        try await BackupReader(store: store).restore(
            manifest, disk: disk, to: try RawFileRestoreTarget(path: raw, durable: false), progress: progress)
        try await QemuImg().convert(from: raw, sourceFormat: .raw, to: path, format: .qcow2, replacing: true)
    }
}

extension InstanceSupervisor {
    /// The instance's configuration as stored.
    func currentSpec() -> InstanceSpec { record.spec }
}

extension InstanceManager {
    /// The backups the previous daemon left unfinished (their views already settled by `load`), once:
    /// the caller discards what they wrote and reports their operations as failed.
    public func takeInterruptedBackups() -> [(project: String, instance: String, note: BackupInProgress)] {
        defer { interruptedBackups = [] }
        return interruptedBackups.map { ($0.key.project, $0.key.name, $0.note) }
    }
}
