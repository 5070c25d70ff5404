public import Backup
import Foundation
public import JoistAPI
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
///
/// A note in the backup folder (`BackupInProgress`) lives exactly as long as the backup, so a daemon
/// that died mid-backup is followed by one that settles what it left (`recoverInterruptedBackup`).
extension InstanceSupervisor {
    /// Backs up the instance into `store`; returns the manifest it saved. `progress` gets bytes read
    /// of bytes to read.
    public func backup(
        into store: ChunkStore, request: BackupRequest = BackupRequest(), progress: (@Sendable (BackupProgress) -> Void)? = nil
    ) async throws -> BackupManifest {
        try await operations.withLock { try await self.performBackup(into: store, request: request, progress: progress) }
    }

    private func performBackup(
        into store: ChunkStore, request: BackupRequest, progress: (@Sendable (BackupProgress) -> Void)?
    ) async throws -> BackupManifest {
        try ensureExists()
        let disks = try await attachedDisks(record.spec.disks).filter { $0.media == .disk }
        guard !disks.isEmpty else { throw JoistError.invalidState("instance \(name) has no disks to back up") }
        let snapshot = try request.snapshot.map { tag in
            guard !(record.snapshots ?? []).contains(where: { $0.name == tag }) else {
                throw JoistError.alreadyExists("instance \(name) already has a snapshot named \(tag)")
            }
            return try SnapshotPlan(tag: tag, disks: disks, instance: name)
        }
        let parent = try store.manifests(project: key.project, instance: name).manifests.last
        let createdAt = Date()
        let id = BackupID.next(after: parent?.id, date: createdAt)
        let checkpoint = try BackupCheckpoint(id.value)
        let backupDisks = disks.map { disk in
            BackupDisk(disk, since: parent?.disk(disk.source.description)?.checkpoint.flatMap { try? BackupCheckpoint($0) })
        }
        let directory = backupFolder
        // The storage daemon's monitor is the longest socket path the backup makes.
        guard (directory + "/storage-daemon.qmp").utf8.count <= RuntimePaths.maxSocketPathLength else {
            throw JoistError.invalidArgument(
                "instance \(name)'s backup folder \(directory) is too long for a Unix socket path (\(RuntimePaths.maxSocketPathLength) bytes); rename the instance or use a shorter state directory")
        }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let note = BackupInProgress(
            backup: id.value, storePath: store.layout.root, snapshot: request.snapshot,
            disks: backupDisks.map { .init(source: $0.source.description, base: $0.since?.id) }, operation: request.operation)
        try note.write(into: directory)
        defer { try? FileManager.default.removeItem(atPath: directory + "/" + BackupInProgress.fileName) }
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
                checkpoint: checkpoint, createdAt: createdAt, snapshot: snapshot.map { PointInTimePlan.Snapshot(name: $0.tag, nodes: $0.nodes) },
                progress: progress)
            try await daemon?.stop()
            if let snapshot { await recordSnapshot(snapshot, of: id, at: createdAt, filesystemFreeze: manifest.filesystemFreeze) }
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
        parent: BackupManifest?, id: BackupID, checkpoint: BackupCheckpoint, createdAt: Date, snapshot: PointInTimePlan.Snapshot?,
        progress: (@Sendable (BackupProgress) -> Void)?
    ) async throws -> BackupManifest {
        let session = try await PointInTimeSession.open(
            qmp: qmp, disks: backupDisks, checkpoint: checkpoint, socketPath: directory + "/nbd.sock", scratchDirectory: directory,
            fleecing: fleecing, snapshot: snapshot, quiescer: fleecing && lifecycle.state == .running ? guestQuiescer() : nil, logger: logger)
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
                let exported = NBDBackupSource(reader: reader, checkpoint: disk.format == .qcow2 ? checkpoint.id : nil)
                // A stopped guest's images hold still under the storage daemon's lock: read them directly.
                sources[disk.source.description] =
                    fleecing || snapshot != nil ? exported : await DirectImageReads.source(for: disk, over: exported, logger: logger)
            }
            manifest = try await BackupWriter(store: store).write(
                project: key.project, instance: name, disks: sources, parent: parent, id: id, createdAt: createdAt,
                filesystemFreeze: session.filesystemFreeze, configuration: record.spec, progress: progress)
            for (disk, source) in sources.sorted(by: { $0.key < $1.key }) {
                if let mapped = source as? MappedImageSource {
                    logger.info("backup \(id) read disk \(disk) from its image files, \(mapped.bytesReadThroughFallback) bytes through NBD")
                }
            }
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
            "backed up \(disks.count) disk(s) as \(manifest.kind.rawValue) backup \(id), filesystems \(manifest.filesystemFreeze?.summary ?? "of a stopped guest"): read \(manifest.stats.bytesRead) bytes, stored \(manifest.stats.bytesStored) new")
        return manifest
    }
}

extension InstanceSupervisor {
    /// Records the snapshot taken with backup `id` like one `joist snapshot create` took. The backup
    /// stands either way: a snapshot that cannot be recorded is logged and its tags removed.
    private func recordSnapshot(_ plan: SnapshotPlan, of id: BackupID, at date: Date, filesystemFreeze: FilesystemFreeze?) async {
        do {
            _ = try await recordTaken(plan, stateful: false, scheduled: false, at: date, filesystemFreeze: filesystemFreeze)
            logger.info("took snapshot \(plan.tag) at the moment of backup \(id)")
        } catch {
            logger.error("backup \(id) is saved, but its snapshot \(plan.tag) could not be recorded: \(error)")
        }
    }
}

/// How to make a backup, beyond the store it goes into.
public struct BackupRequest: Sendable {
    /// A disk snapshot to take at the backup's very moment (in the same QEMU transaction), kept
    /// only when the backup succeeds: the backup's state stays at hand for a fast local rollback.
    public var snapshot: String?
    /// The operation running the backup, noted so that a daemon restarted after a crash reports it failed.
    public var operation: JoistAPI.Operation?

    public init(snapshot: String? = nil, operation: JoistAPI.Operation? = nil) {
        self.snapshot = snapshot
        self.operation = operation
    }
}
