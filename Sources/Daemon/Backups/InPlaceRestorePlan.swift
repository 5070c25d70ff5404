import Backup
import JoistCore
import QEMUDriver

/// What restoring a backup into its own instance will do, decided before any disk is touched: which
/// backed-up disk goes into which image, and which snapshots the rewritten images lose. Pure, so every
/// refusal is tested without QEMU.
///
/// The instance's disks and the backup's must match one to one (by the name the instance gives the
/// disk: `POOL/VOLUME` or the file's path) and in size: a disk attached, detached or resized since the
/// backup is refused, naming it, and `--as` restores such a backup as a new instance instead.
struct InPlaceRestorePlan: Equatable {
    /// One disk to rewrite.
    struct Step: Equatable {
        /// The disk's name in the backup (and the instance).
        var disk: String
        var source: DiskSpec.Source
        /// The image file the restored contents replace.
        var path: String
        /// The image's format, which the restored image keeps.
        var format: DiskFormat
        var size: UInt64
    }

    var steps: [Step]
    /// The instance's snapshots, which live inside the replaced qcow2 images and go with them.
    var droppedSnapshots: [String]

    /// Plans restoring `manifest` into `instance`'s `disks` (CD-ROMs left out), whose images are
    /// `sizes` bytes (by disk name) now.
    ///
    /// - Throws: `invalidState` when the instance has snapshots and `force` is false, or when its disks
    ///   and the backup's differ in name or size.
    init(
        _ manifest: BackupManifest, instance: String, disks: [AttachedDisk], sizes: [String: UInt64], snapshots: [String], force: Bool
    ) throws(JoistError) {
        let backup = "backup \(manifest.id) of instance \(instance)"
        if !snapshots.isEmpty, !force {
            throw .invalidState(
                "instance \(instance) has snapshot(s) \(snapshots.joined(separator: ", ")), which restoring \(backup) in place would lose "
                    + "(they live in the disk images it replaces); restore with --force to drop them, or use --as NEW to restore as a new instance")
        }
        let names = disks.map(\.source.description)
        if let extra = manifest.disks.first(where: { !names.contains($0.name) }) {
            throw .invalidState(
                "\(backup) holds disk \(extra.name), which the instance no longer has; attach it again, or use --as NEW to restore as a new instance")
        }
        var steps: [Step] = []
        for disk in disks {
            let name = disk.source.description
            guard let backed = manifest.disk(name) else {
                throw .invalidState(
                    "instance \(instance)'s disk \(name) is not in \(backup) (it was attached later); detach it, or use --as NEW to restore as a new instance")
            }
            if let current = sizes[name], current != backed.size {
                throw .invalidState(
                    "instance \(instance)'s disk \(name) is \(current) bytes now but \(backed.size) bytes in \(backup) (it was resized since); "
                        + "use --as NEW to restore as a new instance")
            }
            steps.append(Step(disk: name, source: disk.source, path: disk.path, format: disk.format, size: backed.size))
        }
        self.steps = steps
        self.droppedSnapshots = snapshots
    }
}
