import Backup
import Foundation
import JoistTesting
import Testing

/// Steps the backup and snapshot suites share: a test guest whose disk is a qcow2 volume, its
/// console, host-side writes to the image, and reading backups back.
extension DaemonHarness {
    /// The image file of volume `name` in pool `default`.
    func volumeImage(_ name: String) -> String {
        stateDirectory + "/storage/default/volumes/default/\(name).qcow2"
    }

    /// Creates volume `default/VOLUME` (qcow2, `size`) and a stopped test guest `name` with it as
    /// its disk; returns the volume's image file.
    @discardableResult
    func createGuest(_ name: String, guest: TestGuest, volume: String, size: String) async throws -> String {
        try await succeed(["volume", "create", "default", volume, "--size", size])
        try await createGuest(name, guest: guest, extra: ["--disk", "default/\(volume)"])
        return volumeImage(volume)
    }

    /// Starts `name` and waits for the test guest's shell; the console is connected before the
    /// shell prompt, so nothing the guest prints is missed.
    func startWithConsole(_ name: String) async throws -> ConsoleProcess {
        try await succeed(["start", name])
        let console = try ConsoleProcess(harness: self, instance: name)
        guard try await waitForConsole(name, containing: TestGuest.readyMarker) else {
            await console.close()
            throw TestSetupError("instance \(name) did not reach its shell: \(daemonLog())")
        }
        return console
    }

    /// `joist backup list INSTANCE --format json`, oldest first.
    func backups(of instance: String) async throws -> [[String: Any]] {
        let text = try await succeed(["backup", "list", instance, "--format", "json"])
        return try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]])
    }

    /// The default backup store, opened directly.
    func defaultBackupStore() throws -> ChunkStore {
        try #require(try ChunkStore.open(stateDirectory + "/backups"))
    }

    /// Restores the disk whose name ends in `disk` of backup `id` of `instance` (default store) to a
    /// raw file at `path`.
    func restore(_ instance: String, backup id: String, disk: String, to path: String) async throws {
        let store = try defaultBackupStore()
        let manifest = try store.manifest(project: "default", instance: instance, id: try BackupID(id))
        let name = try #require(manifest.disks.first { $0.name.hasSuffix(disk) }?.name, "\(manifest.disks.map(\.name))")
        try await BackupReader(store: store).restore(manifest, disk: name, to: try RawFileRestoreTarget(path: path))
    }
}

/// Reading `joist backup list/info --format json` answers.
enum BackupJSON {
    /// The disk entry whose name ends in `suffix`.
    static func disk(_ backup: [String: Any], _ suffix: String) throws -> [String: Any] {
        let disks = try #require(backup["disks"] as? [[String: Any]])
        return try #require(disks.first { ($0["name"] as? String)?.hasSuffix(suffix) == true }, "\(disks)")
    }

    /// A statistic of a disk or a whole backup (`bytesRead`, `bytesStored`, `chunksReused`, …).
    static func stat(_ item: [String: Any], _ name: String) -> Int? {
        (item["stats"] as? [String: Any])?[name] as? Int
    }
}

/// Writes to images from the host, with QEMU's own tools.
enum HostImage {
    /// Fills the first `megabytes` MiB of the qcow2 `image` with random bytes (written through
    /// QEMU's block layer, so its dirty bitmaps record the change); returns the random data's file.
    @discardableResult
    static func fillRandom(_ image: String, megabytes: Int) async throws -> String {
        let random = image + ".random"
        try await HostTool.run("dd", ["if=/dev/urandom", "of=\(random)", "bs=1M", "count=\(megabytes)", "status=none"])
        try await HostTool.run("qemu-io", ["-f", "qcow2", "-c", "write -s \(random) 0 \(megabytes)M", image])
        return random
    }

    /// The snapshot tags and Joist's dirty bitmaps (name → flags) the qcow2 `image` holds.
    static func bitmaps(_ image: String) async throws -> [String: [String]] {
        let result = try await CommandRunner.run("/usr/bin/qemu-img", ["info", "-U", "--output=json", image])
        let info = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result)")
        let specific = (info["format-specific"] as? [String: Any])?["data"] as? [String: Any]
        let bitmaps = specific?["bitmaps"] as? [[String: Any]] ?? []
        return Dictionary(uniqueKeysWithValues: bitmaps.compactMap { bitmap in
            (bitmap["name"] as? String).map { ($0, bitmap["flags"] as? [String] ?? []) }
        })
    }
}
