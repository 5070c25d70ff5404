import Foundation
import HostKit
import JoistCore
import JoistTesting
import Logging
import NBD
import QEMUDriver
import QMP
import Testing

/// Backups of a stopped guest's disk through `qemu-storage-daemon`: the first is full, later ones read
/// exactly the blocks written in between, the bitmaps live in the qcow2 across daemon restarts, a
/// failed backup keeps the changes counted, and a daemon killed mid-backup makes the next one full.
@Suite("Stopped-guest disk exports", .enabled(if: StoppedDisk.available), .timeLimit(.minutes(3)))
struct StoppedDiskExportTests {
    @Test("full, then incremental exactly over the writes; a failed backup keeps them; a killed daemon forces a full read")
    func lifecycle() async throws {
        try await withTemporaryDirectory(prefix: "jbk") { directory in
            let image = directory + "/data.qcow2"
            try await StoppedDisk.tool("qemu-img", ["create", "-q", "-f", "qcow2", image, "32M"])
            try await StoppedDisk.tool("qemu-io", ["-f", "qcow2", "-c", "write -P 0xaa 0 4M", image])
            let disk = AttachedDisk(spec: DiskSpec(path: image, format: .qcow2), path: image, format: .qcow2)

            // 1: no earlier backup: full, every byte equals the image.
            let first = try await StoppedDisk.backup(disk, in: directory, checkpoint: "c1", since: nil) { (export: DiskExport, reader: NBDDiskReader) async throws in
                guard case .full(let reason) = export.changes else { throw TestSetupError("expected a full backup") }
                #expect(reason.contains("no earlier backup"))
                #expect(try await reader.changedExtents() == nil)
                #expect(try await reader.read(offset: 0, length: Int(reader.size)) == StoppedDisk.raw(image, in: directory))
                #expect(try await reader.allocatedExtents() == [NBDExtent(offset: 0, length: 4 << 20, flags: 0)])
            }
            #expect(first == ["joist-c1"])

            // The bitmap survived the daemon's exit; writes while stopped land in it.
            try await StoppedDisk.tool("qemu-io", ["-f", "qcow2", "-c", "write -P 0xbb 8M 64k", "-c", "write -P 0xcc 20971525 1", image])

            // 2: incremental since c1, but the backup fails: c1 keeps counting, c2 goes.
            let changed = [NBDExtent(offset: 8 << 20, length: 65536, flags: 1), NBDExtent(offset: 20 << 20, length: 65536, flags: 1)]
            let failed = try await StoppedDisk.backup(disk, in: directory, checkpoint: "c2", since: "c1", succeed: false) { (export: DiskExport, reader: NBDDiskReader) async throws in
                #expect(export.changes.base?.id == "c1")
                #expect(try await reader.changedExtents() == changed)
            }
            #expect(failed == ["joist-c1"])

            // 3: the same changes since c1 again, then success: c2 replaces c1.
            let second = try await StoppedDisk.backup(disk, in: directory, checkpoint: "c2", since: "c1") { (_: DiskExport, reader: NBDDiskReader) async throws in
                #expect(try await reader.changedExtents() == changed)
                let raw = try StoppedDisk.raw(image, in: directory)
                #expect(try await reader.read(offset: 20 << 20, length: 65536) == Array(raw[(20 << 20)..<((20 << 20) + 65536)]))
            }
            #expect(second == ["joist-c2"])

            // 4: a checkpoint the disk does not know: full, saying why.
            _ = try await StoppedDisk.backup(disk, in: directory, checkpoint: "c3", since: "c9", succeed: false) { (export: DiskExport, _: NBDDiskReader) async throws in
                #expect(!export.bitmapValid)
            }

            // 5: a daemon killed while it held the disk leaves c2 marked in use: the next backup is full.
            let daemon = try await StorageDaemon.start(disks: [disk], directory: directory, logger: Logger(label: "test"))
            kill(daemon.pid, SIGKILL)
            await daemon.qmp.waitUntilClosed()
            await daemon.waitUntilGone()
            _ = try await StoppedDisk.backup(disk, in: directory, checkpoint: "c4", since: "c2") { (export: DiskExport, _: NBDDiskReader) async throws in
                guard case .full(let reason) = export.changes else { throw TestSetupError("expected a full backup") }
                #expect(reason.contains("unreliable"), "\(reason)")
            }
            // Success removed the untrustworthy bitmap; only the new checkpoint's remains.
            #expect(try await StoppedDisk.bitmaps(image) == ["joist-c4"])
        }
    }
}

/// Helpers: a backup run against a storage daemon, and the image's state read with qemu-img.
enum StoppedDisk {
    static var available: Bool {
        ["qemu-storage-daemon", "qemu-img", "qemu-io"].allSatisfy { (try? HostTools.path(of: $0)) != nil }
    }

    static func tool(_ name: String, _ arguments: [String]) async throws {
        let result = try await CommandRunner.run(try HostTools.path(of: name), arguments)
        guard result.succeeded else { throw TestSetupError("\(name) \(arguments) failed: \(result)") }
    }

    /// The image's contents, converted to raw by qemu-img.
    static func raw(_ image: String, in directory: String) throws -> [UInt8] {
        let raw = directory + "/compare.raw"
        let result = try HostCommandSync.run(try HostTools.path(of: "qemu-img"), ["convert", "-U", "-f", "qcow2", "-O", "raw", image, raw])
        guard result == 0 else { throw TestSetupError("qemu-img convert failed") }
        defer { try? FileManager.default.removeItem(atPath: raw) }
        return try [UInt8](Data(contentsOf: URL(fileURLWithPath: raw)))
    }

    /// The names of the image's persistent bitmaps, by `qemu-img info`.
    static func bitmaps(_ image: String) async throws -> [String] {
        let result = try await CommandRunner.run(try HostTools.path(of: "qemu-img"), ["info", "--output=json", "-U", image])
        let info = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        let data = (info?["format-specific"] as? [String: Any])?["data"] as? [String: Any]
        return ((data?["bitmaps"] as? [[String: Any]]) ?? []).compactMap { $0["name"] as? String }.sorted()
    }

    /// Runs one backup of `disk` through a fresh storage daemon: opens the view, hands it to `body`,
    /// closes it as `succeed` says, stops the daemon; returns the image's bitmaps afterwards.
    static func backup(
        _ disk: AttachedDisk, in directory: String, checkpoint: String, since: String?, succeed: Bool = true,
        _ body: (DiskExport, NBDDiskReader) async throws -> Void
    ) async throws -> [String] {
        let logger = Logger(label: "test")
        let daemon = try await StorageDaemon.start(disks: [disk], directory: directory, logger: logger)
        do {
            let session = try await PointInTimeSession.open(
                qmp: daemon.qmp, disks: [BackupDisk(disk, since: try since.map { id throws(JoistError) in try BackupCheckpoint(id) })],
                checkpoint: try BackupCheckpoint(checkpoint), socketPath: directory + "/nbd.sock", scratchDirectory: directory,
                fleecing: false, logger: logger)
            let export = try #require(session.exports.first)
            #expect(export.size == 32 << 20)
            let reader = try await export.openReader(logger: logger)
            do {
                try await body(export, reader)
            } catch {
                await reader.close()
                try await session.close(succeeded: false)
                throw error
            }
            await reader.close()
            try await session.close(succeeded: succeed)
            #expect(try await daemon.qmp.queryBlockExports().isEmpty)
        } catch {
            try? await daemon.stop()
            throw error
        }
        try await daemon.stop()
        return try await bitmaps(disk.path)
    }
}

/// Runs a short tool synchronously (for helpers that are not async).
enum HostCommandSync {
    static func run(_ executable: String, _ arguments: [String]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }
}
