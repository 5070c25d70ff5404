import Backup
import Foundation
import HostKit
import Logging
import NBD

/// `joist-bench backup-pipeline`: the pieces of a backup apart, with no daemon, to find where B5's
/// time goes. On the same kind of disk as B5 (half random, half zeros), each timed after `sync`:
/// reading the qcow2 image whole over NBD from `qemu-nbd` as a backup reads it (chunk by chunk),
/// `BackupWriter` from the raw file into a new store, the same again into that store (every chunk
/// already there: reading and hashing only), restoring to a raw file with `BackupReader`, and
/// `qemu-img convert -O qcow2` of the image for scale. Diagnostic only: nothing is written to artifacts.
/// `JOIST_BENCH_PIPELINE_NBD_ONLY=1` times only the NBD read (twice); `JOIST_BENCH_NBD_READ_KIB=N`
/// splits each chunk's read into concurrent requests of N KiB.
enum BackupPipelineBench {
    static func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let gibibytes = Int(environment["JOIST_BENCH_BACKUP_GIB"] ?? "") ?? 4
        let parent = environment["JOIST_BENCH_STATE_PARENT"] ?? "/tmp"
        let folder = parent + "/joist-bench-pipeline-\(getpid())"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let size = UInt64(gibibytes) << 30
        let raw = folder + "/disk.raw", image = folder + "/disk.qcow2"
        progress("pipeline: a \(gibibytes) GiB disk, \(size >> 21) MiB random then zeros")
        try await HostTools.run("/bin/dd", ["if=/dev/urandom", "of=\(raw)", "bs=1M", "count=\(size >> 21)", "iflag=fullblock", "status=none"])
        try await HostTools.run("/usr/bin/truncate", ["-s", "\(size)", raw])
        try await HostTools.run(HostTools.qemuImg, ["convert", "-f", "raw", "-O", "qcow2", raw, image])
        let mebibytes = Double(size) / 1_048_576
        var rows: [(String, Double)] = []
        func row(_ name: String, _ seconds: Double) {
            rows.append((name, seconds))
            progress(String(format: "%@: %.2f s, %.0f MiB/s", name, seconds, mebibytes / seconds))
        }

        if environment["JOIST_BENCH_PIPELINE_NBD_ONLY"] != nil {
            row("NBD read", try await settled { try await readOverNBD(image, folder: folder, size: size) })
            row("NBD read", try await settled { try await readOverNBD(image, folder: folder, size: size) })
            return
        }
        row("qemu-img convert -O qcow2", try await settled { try await HostTools.run(HostTools.qemuImg, ["convert", "-f", "qcow2", "-O", "qcow2", image, folder + "/copy.qcow2"]) })
        try FileManager.default.removeItem(atPath: folder + "/copy.qcow2")
        row("NBD read of the qcow2 (qemu-nbd), every chunk not known zero", try await settled { try await readOverNBD(image, folder: folder, size: size) })

        // How many batches of chunks commit at once, side by side: 1 (each batch waits for the one
        // before) against the default.
        for round in 0..<2 {
            for depth in round == 0 ? [1, 3] : [3, 1] {
                let scratch = try ChunkStore.openOrCreate(folder + "/depth-store")
                row("BackupWriter, raw file → new store, \(depth) batch(es) committing", try await settled {
                    _ = try await BackupWriter(store: scratch, commitDepth: depth).write(
                        project: "default", instance: "a", disks: ["disk": try FileBackupSource(path: raw)])
                })
                try FileManager.default.removeItem(atPath: folder + "/depth-store")
            }
        }
        let store = try ChunkStore.openOrCreate(folder + "/store")
        var manifest: BackupManifest?
        row("BackupWriter, raw file → new store", try await settled {
            manifest = try await BackupWriter(store: store).write(
                project: "default", instance: "a", disks: ["disk": try FileBackupSource(path: raw)])
        })
        row("BackupWriter, same disk → same store (all reused)", try await settled {
            _ = try await BackupWriter(store: store).write(project: "default", instance: "b", disks: ["disk": try FileBackupSource(path: raw)])
        })
        if let manifest {
            row("BackupReader, restore to a raw file", try await settled {
                try await BackupReader(store: store).restore(manifest, disk: "disk", to: try RawFileRestoreTarget(path: folder + "/restored.raw"))
            })
        }
        print("| step | seconds | MiB/s of the \(gibibytes) GiB disk |\n|---|---|---|")
        for (name, seconds) in rows { print(String(format: "| %@ | %.2f | %.0f |", name, seconds, mebibytes / seconds)) }
    }

    /// Seconds of `body`, after `sync` and a moment for freed memory to settle (see `ImportBench`).
    private static func settled(_ body: () async throws -> Void) async throws -> Double {
        try await HostTools.sync()
        try await Task.sleep(for: .seconds(4))
        return try await timed(body)
    }

    /// Reads the whole image over NBD, one chunk after another as the backup writer asks for them.
    private static func readOverNBD(_ image: String, folder: String, size: UInt64) async throws {
        let socket = folder + "/nbd.sock", pidFile = folder + "/nbd.pid"
        let status = try await ProcessSpawner.run(
            ["/usr/bin/qemu-nbd", "--fork", "--pid-file=\(pidFile)", "--socket=\(socket)", "--read-only", "-f", "qcow2", "-x", "disk", image],
            outputPath: folder + "/nbd.log")
        guard status == 0, let pid = Int32(try String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines))
        else { throw BenchError("qemu-nbd failed to start") }
        defer { kill(pid, SIGTERM) }
        let reader = try await NBDDiskReader.open(socketPath: socket, exportName: "disk", dirtyBitmapContext: nil, logger: Logger(label: "bench"))
        // As a full backup does: every chunk but those the allocation map says read as zeros.
        let chunkSize = ChunkStore.defaultChunkSize
        let zeros = try await reader.zeroExtents().map { DiskExtent(offset: $0.offset, length: $0.length) }
        let skipped = Set(ChunkPlan.chunks(within: zeros, size: size, chunkSize: chunkSize))
        let piece = (Int(ProcessInfo.processInfo.environment["JOIST_BENCH_NBD_READ_KIB"] ?? "") ?? 4096) << 10
        for index in 0..<ChunkPlan.count(size: size, chunkSize: chunkSize) where !skipped.contains(index) {
            let range = ChunkPlan.range(of: index, size: size, chunkSize: chunkSize)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for start in stride(from: 0, to: Int(range.length), by: piece) {
                    group.addTask { _ = try await reader.read(offset: range.offset + UInt64(start), length: min(piece, Int(range.length) - start)) }
                }
                try await group.waitForAll()
            }
        }
        await reader.close()
    }
}
