public import Backup
import Foundation
import JoistCore
import NBD
import QEMUDriver
import QMP

/// Backups: every disk of the instance (CD-ROMs aside) read through a point-in-time NBD view into a
/// backup store. A running guest's own QEMU makes the view (fleecing, so the guest keeps writing); a
/// stopped guest's disks are opened by a `qemu-storage-daemon` for the time of the backup, which also
/// keeps the guest from starting meanwhile (the images are locked), as does the operation lock.
///
/// Each backup sets a checkpoint (a persistent dirty bitmap named after the backup) on its qcow2
/// disks and records it in the manifest; the next backup asks for the changes since the checkpoint of
/// the instance's latest backup in the store. When the disk has no such record (raw images, an image
/// replaced or restored, a bitmap QEMU could not save), `ChangeTracking` says so and the disk is read
/// whole: a backup never misses a change.
extension InstanceSupervisor {
    /// Backs up the instance into `store`; returns the manifest it saved. `progress` gets bytes read
    /// of bytes to read.
    public func backup(into store: ChunkStore, progress: (@Sendable (BackupProgress) -> Void)? = nil) async throws -> BackupManifest {
        try await operations.withLock { try await self.performBackup(into: store, progress: progress) }
    }

    private func performBackup(into store: ChunkStore, progress: (@Sendable (BackupProgress) -> Void)?) async throws -> BackupManifest {
        try ensureExists()
        let disks = try await attachedDisks(record.spec.disks).filter { $0.media == .disk }
        guard !disks.isEmpty else { throw JoistError.invalidState("instance \(name) has no disks to back up") }
        let parent = try store.manifests(project: key.project, instance: name).manifests.last
        let createdAt = Date()
        let id = BackupID.next(after: parent?.id, date: createdAt)
        let checkpoint = try BackupCheckpoint(id.value)
        let backupDisks = disks.map { disk in
            BackupDisk(disk, since: parent?.disk(disk.source.description)?.checkpoint.flatMap { try? BackupCheckpoint($0) })
        }
        let directory = paths.directory + "/backup"
        // The storage daemon's monitor is the longest socket path the backup makes.
        guard (directory + "/storage-daemon.qmp").utf8.count <= RuntimePaths.maxSocketPathLength else {
            throw JoistError.invalidArgument(
                "instance \(name)'s backup folder \(directory) is too long for a Unix socket path (\(RuntimePaths.maxSocketPathLength) bytes); rename the instance or use a shorter state directory")
        }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var daemon: StorageDaemon?
        let qmp: QMPClient
        if let live = try runningQMP(for: "back up") {
            qmp = live
        } else {
            let started = try await StorageDaemon.start(disks: disks, directory: directory, logger: logger)
            daemon = started
            qmp = started.qmp
        }
        do {
            let manifest = try await backUp(
                disks, backupDisks, qmp: qmp, fleecing: daemon == nil, directory: directory, store: store, parent: parent, id: id,
                checkpoint: checkpoint, createdAt: createdAt, progress: progress)
            try await daemon?.stop()
            return manifest
        } catch {
            if let daemon { try? await daemon.stop() }
            throw error
        }
    }

    /// Opens the point-in-time view, writes the backup from it, and closes the view: kept as the next
    /// backup's base only when the backup was saved, and the backup discarded when the view broke
    /// while it was read.
    private func backUp(
        _ disks: [AttachedDisk], _ backupDisks: [BackupDisk], qmp: QMPClient, fleecing: Bool, directory: String, store: ChunkStore,
        parent: BackupManifest?, id: BackupID, checkpoint: BackupCheckpoint, createdAt: Date,
        progress: (@Sendable (BackupProgress) -> Void)?
    ) async throws -> BackupManifest {
        let session = try await PointInTimeSession.open(
            qmp: qmp, disks: backupDisks, checkpoint: checkpoint, socketPath: directory + "/nbd.sock", scratchDirectory: directory,
            fleecing: fleecing, logger: logger)
        var readers: [NBDDiskReader] = []
        let manifest: BackupManifest
        do {
            var sources: [String: any BackupSource] = [:]
            for (disk, export) in zip(disks, session.exports) {
                let reader = try await export.openReader(logger: logger)
                readers.append(reader)
                if case .full(let reason) = export.changes, parent != nil {
                    logger.info("backup \(id) reads disk \(disk.source) whole: \(reason)")
                }
                sources[disk.source.description] = NBDBackupSource(reader: reader, checkpoint: disk.format == .qcow2 ? checkpoint.id : nil)
            }
            manifest = try await BackupWriter(store: store).write(
                project: key.project, instance: name, disks: sources, parent: parent, id: id, createdAt: createdAt,
                configuration: record.spec, progress: progress)
        } catch {
            for reader in readers { await reader.close() }
            try? await session.close(succeeded: false)
            throw error
        }
        for reader in readers { await reader.close() }
        do {
            try await session.close(succeeded: true)
        } catch {
            try? store.deleteManifest(project: key.project, instance: name, id: id)
            throw error
        }
        logger.info(
            "backed up \(disks.count) disk(s) as \(manifest.kind.rawValue) backup \(id): read \(manifest.stats.bytesRead) bytes, stored \(manifest.stats.bytesStored) new")
        return manifest
    }
}
