public import Backup
import Foundation
import JoistCore
import QEMUDriver
import Storage

/// Restoring a backup into the instance it was made of: each backed-up disk written back into the
/// instance's own image, in the image's format.
///
/// Every disk is restored to a temporary file beside its image first; only when all of them are ready
/// do the temporaries replace the images, so a failure (a damaged chunk, a full disk) leaves the
/// instance's disks as they were. Each replaced image is kept as a hard link until every disk is
/// swapped: a swap that fails puts the disks already swapped back. The new images carry no dirty bitmaps: the next backup finds no
/// checkpoint and reads the disks whole. They carry no snapshots either, so an instance with
/// snapshots is refused unless forced, and forcing drops their records.
extension InstanceSupervisor {
    /// Writes backup `manifest` back into the instance's disks. The instance must be stopped, and
    /// stays stopped; the operation lock keeps it from starting meanwhile. `progress` gets bytes
    /// written of each disk's size.
    public func restoreInPlace(
        _ manifest: BackupManifest, from store: ChunkStore, force: Bool, progress: (@Sendable (BackupProgress) -> Void)? = nil
    ) async throws {
        try await operations.withLock { try await self.performRestoreInPlace(manifest, from: store, force: force, progress: progress) }
    }

    private func performRestoreInPlace(
        _ manifest: BackupManifest, from store: ChunkStore, force: Bool, progress: (@Sendable (BackupProgress) -> Void)?
    ) async throws {
        try ensureExists()
        guard lifecycle.state == .stopped else {
            throw JoistError.invalidState(
                "cannot restore backup \(manifest.id) into instance \(name) while it is \(lifecycle.state.rawValue): "
                    + "stop it first with `joist stop \(name)`")
        }
        let disks = try await attachedDisks(record.spec.disks).filter { $0.media == .disk }
        var sizes: [String: UInt64] = [:]
        for disk in disks {
            sizes[disk.source.description] = try await QemuImg().info(disk.path, format: ImageFileFormat(disk.format)).virtualSize
        }
        let plan = try InPlaceRestorePlan(
            manifest, instance: name, disks: disks, sizes: sizes, snapshots: (record.snapshots ?? []).map(\.name), force: force)
        var staged: [(step: InPlaceRestorePlan.Step, file: String)] = []
        do {
            for step in plan.steps {
                staged.append((step, try await Self.stage(step, of: manifest, from: store, progress: progress)))
            }
        } catch {
            for (_, file) in staged { unlink(file) }
            throw error
        }
        var swapped: [(step: InPlaceRestorePlan.Step, previous: String)] = []
        for (index, (step, file)) in staged.enumerated() {
            do {
                swapped.append((step, try await replace(step, with: file)))
            } catch {
                for (_, later) in staged[(index + 1)...] { unlink(later) }
                unlink(file)
                var stuck: [String] = []
                for (done, previous) in swapped.reversed() {
                    do {
                        try await putBack(done, previous: previous)
                    } catch {
                        logger.error("cannot put disk \(done.disk)'s image back from \(previous): \(error)")
                        stuck.append("\(done.disk) (its image before the restore is \(previous))")
                    }
                }
                throw JoistError.hostFailure(
                    "restoring backup \(manifest.id) into instance \(name): \(error)"
                        + (stuck.isEmpty ? "; its disks are unchanged" : "; restored disk(s) not put back: \(stuck.joined(separator: ", "))"))
            }
        }
        for (_, previous) in swapped { unlink(previous) }
        if !plan.droppedSnapshots.isEmpty {
            record.snapshots = nil
            record.currentSnapshot = nil
            try await persist()
            logger.info("dropped snapshot(s) \(plan.droppedSnapshots.joined(separator: ", ")), lost with the replaced disk images")
        }
        logger.info("restored backup \(manifest.id) into \(plan.steps.count) disk(s); the next backup reads them whole")
        env.events.publish(.lifecycle(
            .init(action: "instance-backup-restored", source: "/1.0/instances/\(name)/backups/\(manifest.id)", name: name),
            project: key.project))
    }

    /// Restores one disk into a temporary file beside its image, in the image's format; returns the file.
    private static func stage(
        _ step: InPlaceRestorePlan.Step, of manifest: BackupManifest, from store: ChunkStore, progress: (@Sendable (BackupProgress) -> Void)?
    ) async throws -> String {
        let folder = (step.path as NSString).deletingLastPathComponent
        let file = (step.path as NSString).lastPathComponent
        // Temporary names a pool sweeps after a crash; a file disk's folder is cleaned here on failure.
        let raw = folder + "/" + TemporaryName.make(for: file + ".raw")
        do {
            try await BackupReader(store: store).restore(manifest, disk: step.disk, to: try RawFileRestoreTarget(path: raw), progress: progress)
            guard step.format == .qcow2 else { return raw }
            let converted = folder + "/" + TemporaryName.make(for: file)
            try await QemuImg().convert(from: raw, sourceFormat: .raw, to: converted, format: .qcow2)
            unlink(raw)
            return converted
        } catch {
            unlink(raw)
            throw error
        }
    }

    /// Moves the restored `file` over the disk's image, with the image's permissions, and returns a
    /// hard link to the image it replaced (a temporary name beside it, which a pool sweeps after a
    /// crash). A volume's image is replaced while the storage manager holds the volume, so no volume
    /// operation sees it half-done.
    private func replace(_ step: InPlaceRestorePlan.Step, with file: String) async throws -> String {
        let previous = (step.path as NSString).deletingLastPathComponent + "/"
            + TemporaryName.make(for: (step.path as NSString).lastPathComponent + ".previous")
        try await withDiskFile(step) { path in
            // qemu-img does not flush what it wrote: make the image durable before it replaces the old one.
            let restored = open(file, O_RDONLY | O_CLOEXEC)
            if restored >= 0 {
                fsync(restored)
                close(restored)
            }
            var info = stat()
            if stat(path, &info) == 0 { chmod(file, info.st_mode & 0o7777) }
            guard link(path, previous) == 0 else {
                throw JoistError.hostFailure("cannot keep \(path) until the restore is done: \(String(cString: strerror(errno)))")
            }
            guard rename(file, path) == 0 else {
                let reason = String(cString: strerror(errno))
                unlink(previous)
                throw JoistError.hostFailure("cannot move the restored image \(file) over \(path): \(reason)")
            }
            Self.syncFolder(of: path)
        }
        return previous
    }

    /// Puts the image `replace` kept as `previous` back in place of the restored one.
    private func putBack(_ step: InPlaceRestorePlan.Step, previous: String) async throws {
        try await withDiskFile(step) { path in
            guard rename(previous, path) == 0 else {
                throw JoistError.hostFailure("cannot move \(previous) back over \(path): \(String(cString: strerror(errno)))")
            }
            Self.syncFolder(of: path)
        }
    }

    /// Runs `body` on the disk's image path; a volume's while the storage manager holds the volume.
    private func withDiskFile(_ step: InPlaceRestorePlan.Step, _ body: @escaping @Sendable (String) throws -> Void) async throws {
        if case .volume(let volume) = step.source {
            try await storage.withVolumeFile(volume, project: key.project) { path, _, _ in
                guard path == step.path else { throw JoistError.invalidState("volume \(volume) moved to \(path) during the restore") }
                try body(path)
            }
        } else {
            try body(step.path)
        }
    }

    private static func syncFolder(of path: String) {
        let folder = open((path as NSString).deletingLastPathComponent, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if folder >= 0 {
            fsync(folder)
            close(folder)
        }
    }
}
