import HostKit
import Foundation
import JoistCore
import QEMUDriver
import QMP

/// What a backup leaves when the daemon dies in the middle of it, settled when the next daemon
/// starts, before it serves requests: a `qemu-storage-daemon` still holding a stopped guest's disks
/// (and their locks, so the guest could not start), the point-in-time view in a running guest's
/// QEMU (NBD server, exports, fleecing jobs and overlays, whose base bitmap stays in use, so every
/// later backup would be refused), the new checkpoint's bitmap, a snapshot taken with the backup,
/// and the backup folder with its scratch files and sockets.
extension InstanceSupervisor {
    /// Settles an interrupted backup (see above) and returns its note, or nil when there was none.
    /// Failures are logged: what cannot be settled here is safe, as the next backup then reads the
    /// disks whole.
    func recoverInterruptedBackup() async -> BackupInProgress? {
        let folder = backupFolder
        guard FileManager.default.fileExists(atPath: folder) else { return nil }
        let note = BackupInProgress.read(from: folder)
        await stopStaleStorageDaemon(in: folder)
        if let note {
            logger.warning("backup \(note.backup) was interrupted (joistd stopped while it ran); settling what it left")
            do {
                try await settleView(of: note, in: folder)
            } catch {
                logger.error("cannot settle interrupted backup \(note.backup): \(error); the next backup reads the disks whole")
            }
        }
        do {
            try FileManager.default.removeItem(atPath: folder)
        } catch {
            logger.warning("cannot remove the backup folder \(folder) an interrupted backup left: \(error)")
        }
        return note
    }

    /// The folder a backup keeps its sockets, scratch files and note in.
    var backupFolder: String { paths.directory + "/backup" }

    /// Ends a storage daemon a backup of the stopped guest left: SIGTERM first, so it writes the
    /// bitmaps into the images, SIGKILL if it does not go.
    private func stopStaleStorageDaemon(in folder: String) async {
        guard let text = try? String(contentsOfFile: folder + "/storage-daemon.pid", encoding: .utf8),
            let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)),
            // The kernel's command name is cut to 15 characters: "qemu-storage-da".
            HostProcess.isAlive(pid, nameHint: "qemu-storage"),
            // A pid recycled since belongs to another storage daemon: this one names this folder.
            let commandLine = KernelFile.bytes("/proc/\(pid)/cmdline"),
            String(decoding: commandLine, as: UTF8.self).contains(folder + "/storage-daemon.qmp")
        else { return }
        logger.warning("stopping qemu-storage-daemon \(pid), left by an interrupted backup")
        kill(pid, SIGTERM)
        if await HostProcess.waitForExit(pid, timeout: .seconds(10)) { return }
        HostProcess.kill(pid)
        _ = await HostProcess.waitForExit(pid, timeout: .seconds(5))
    }

    /// Takes the view down and settles the bitmaps, in the guest's QEMU, or for a stopped guest in a
    /// storage daemon opened for it.
    private func settleView(of note: BackupInProgress, in folder: String) async throws {
        let checkpoint = try BackupCheckpoint(note.backup)
        let attached = try await attachedDisks(record.spec.disks).filter { $0.media == .disk }
        let disks = attached.compactMap { disk -> BackupDisk? in
            guard let noted = note.disks.first(where: { $0.source == disk.source.description }) else { return nil }
            return BackupDisk(disk, since: noted.base.flatMap { try? BackupCheckpoint($0) })
        }
        let snapshot = note.snapshot.map {
            PointInTimePlan.Snapshot(name: $0, nodes: attached.filter(SnapshotPlan.isCovered).map(\.names.node))
        }
        var daemon: StorageDaemon?
        let qmp: QMPClient
        if let live = try runningQMP(for: "settle the interrupted backup of") {
            qmp = live
        } else {
            let started = try await StorageDaemon.start(disks: attached, directory: folder, logger: logger)
            daemon = started
            qmp = started.qmp
        }
        let failures = await PointInTimeSession.recover(
            qmp: qmp, disks: disks, checkpoint: checkpoint, socketPath: folder + "/nbd.sock", scratchDirectory: folder, snapshot: snapshot)
        try await daemon?.stop()
        guard failures.isEmpty else { throw JoistError.hostFailure(failures.joined(separator: "; ")) }
        logger.info("settled interrupted backup \(note.backup): view taken down, changes counted from its parent again")
    }
}
