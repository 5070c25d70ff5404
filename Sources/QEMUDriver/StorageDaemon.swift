import Foundation
import HostKit
import JoistCore
public import Logging
public import QMP

/// A `qemu-storage-daemon` holding a stopped guest's disks, so a backup reads them, and switches their
/// dirty bitmaps, through the same QMP steps as in a running guest's QEMU (`PointInTimeSession` with
/// `fleecing: false`). The disks are opened read-write, as the bitmaps live in the images, under the
/// node names the guest's QEMU gives them; QEMU's image locks keep the guest from starting meanwhile.
///
/// `stop` must run for the bitmap changes to reach the images: QEMU writes persistent bitmaps when it
/// closes them.
public final class StorageDaemon: Sendable {
    public let qmp: QMPClient
    public let pid: Int32

    private init(qmp: QMPClient, pid: Int32) {
        self.qmp = qmp
        self.pid = pid
    }

    /// The command line: each disk's file and format nodes (the argv builder's JSON), and a QMP monitor.
    public static func argv(binary: String = "qemu-storage-daemon", disks: [AttachedDisk], directory: String) -> [String] {
        var argv = [binary]
        for disk in disks {
            var writable = disk
            writable.readOnly = false
            argv += ["--blockdev", DiskLayout.fileNode(writable).rendered, "--blockdev", DiskLayout.formatNode(writable).rendered]
        }
        argv += [
            "--chardev", "socket,id=qmp,path=\(directory)/storage-daemon.qmp,server=on,wait=off", "--monitor", "chardev=qmp",
            "--daemonize", "--pidfile", "\(directory)/storage-daemon.pid",
        ]
        return argv
    }

    /// Starts the daemon with `disks` (none may be read-only media) and connects to its monitor.
    /// `directory` holds its socket, pid file and log; keep its path short (Unix socket paths are).
    ///
    /// - Throws: `invalidArgument` for a path with a comma (QEMU's option syntax); `hostFailure` when
    ///   the daemon does not start (e.g. the guest is running and holds the images' locks).
    public static func start(disks: [AttachedDisk], directory: String, logger: Logger) async throws -> StorageDaemon {
        if directory.contains(",") { throw JoistError.invalidArgument("storage daemon directory \(directory) contains a comma") }
        let binary = try QEMULauncher.resolve("qemu-storage-daemon")
        let log = directory + "/storage-daemon.log"
        try? FileManager.default.removeItem(atPath: directory + "/storage-daemon.pid")
        let status = try await ProcessSpawner.run(argv(binary: binary, disks: disks, directory: directory), outputPath: log)
        guard status == 0 else {
            throw JoistError.hostFailure("qemu-storage-daemon failed to start (exit status \(status)): \(QEMULauncher.tail(of: log))")
        }
        guard let text = try? String(contentsOfFile: directory + "/storage-daemon.pid", encoding: .utf8),
            let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
        else { throw JoistError.hostFailure("qemu-storage-daemon started but wrote no pid file in \(directory)") }
        do {
            let qmp = try await QMPClient.connect(path: directory + "/storage-daemon.qmp", logger: logger)
            return StorageDaemon(qmp: qmp, pid: pid)
        } catch {
            HostProcess.kill(pid)
            throw JoistError.hostFailure("cannot reach qemu-storage-daemon's monitor: \(error)")
        }
    }

    /// Quits the daemon (which stores the bitmaps in the images) and waits until it is gone, so the
    /// images' locks are free for the guest's QEMU.
    public func stop() async throws {
        try await qmp.quit()
        await qmp.waitUntilClosed()
        await waitUntilGone()
    }

    /// Waits (up to `timeout`) until the process has exited. Its monitor closes while it exits,
    /// possibly before the images' files, whose locks go with them.
    public func waitUntilGone(timeout: Duration = .seconds(10)) async {
        let deadline = ContinuousClock.now + timeout
        while HostProcess.isAlive(pid), ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
    }
}
