import Foundation
import JoistAPI
import JoistTesting

/// `joist-bench backup`: B5 (full backup against `qemu-img convert -O qcow2` of the same disk), B5b
/// (incremental after 1% of the disk's chunks are rewritten), B5c (a second full backup of the same
/// contents: what it adds to the store) and restore throughput, against a private joistd; printed as
/// a table and written to `artifacts/bench-backup.json`.
enum BackupBench {
    static func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let rounds = Int(environment["JOIST_BENCH_BACKUP_ROUNDS"] ?? "") ?? 3
        let gibibytes = Int(environment["JOIST_BENCH_BACKUP_GIB"] ?? "") ?? 4
        let settle = Double(environment["JOIST_BENCH_BACKUP_SETTLE"] ?? "") ?? 4
        // The root file system by default: the disks, qemu-img's copy and a store per round must fit.
        let parent = environment["JOIST_BENCH_STATE_PARENT"] ?? "/tmp"
        let guest = try await TestGuest.locate()
        let loadAtStart = APIBench.loadAverage()
        try await DaemonHarness.with(parent: parent, privateNetwork: false) { joist in
            // Beside the pool, in the state directory: the same file system, and removed with it.
            let folder = joist.stateDirectory + "/bench"
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            // Stores may not lie inside the state directory: beside it, on the same file system.
            let stores = joist.stateDirectory + "-stores"
            try FileManager.default.createDirectory(atPath: stores, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: stores) }
            let client = BenchClient.make(.unix(socketPath: joist.socketPath))
            do {
                let disks = try await BackupBenchDisks.make(joist: joist, guest: guest, folder: folder, gibibytes: gibibytes)
                let result = try await BackupRounds(
                    joist: joist, client: client, disks: disks, folder: folder, storesFolder: stores, rounds: rounds,
                    settle: .milliseconds(Int(settle * 1000))
                ).run()
                let pause = try await BackupPauseBench.run(joist: joist, client: client, guest: guest, count: 5)
                let report = BackupReport(
                    stateParent: parent, result: result, pause: pause, loadAverage: [loadAtStart, APIBench.loadAverage()])
                print(report.table)
                try write(report)
            } catch {
                await client.shutdown()
                throw error
            }
            await client.shutdown()
        }
    }

    static func write(_ report: BackupReport) throws {
        let directory = RepositoryPaths.root + "/artifacts"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        try encoder.encode(report).write(to: URL(fileURLWithPath: directory + "/bench-backup.json"))
        print("JSON: \(directory)/bench-backup.json")
    }
}

/// The two stopped instances B5 backs up, each with one qcow2 volume made from the same source: the
/// first half random bytes, the second half zeros (unallocated in the qcow2, as `qemu-img convert`
/// leaves zeros of any imported image).
struct BackupBenchDisks {
    /// `vm`: backed up full, changed, backed up again incrementally.
    let instance: String
    /// `twin`: a second instance from the same image, backed up full into the same store (B5c).
    let twin: String
    /// The `vm`'s volume file.
    let diskPath: String
    let size: UInt64

    static func make(joist: DaemonHarness, guest: TestGuest, folder: String, gibibytes: Int) async throws -> BackupBenchDisks {
        let source = folder + "/source.raw"
        let size = UInt64(gibibytes) << 30
        progress("B5: a \(gibibytes) GiB disk: \(size >> 21) MiB of random bytes, then \(size >> 21) MiB of zeros")
        try await HostTools.run(
            "/bin/dd", ["if=/dev/urandom", "of=\(source)", "bs=1M", "count=\(size >> 21)", "iflag=fullblock", "status=none"])
        try await HostTools.run("/usr/bin/truncate", ["-s", "\(size)", source])
        for (instance, volume) in [("vm", "data"), ("twin", "twin-data")] {
            try await HostTools.cli(joist, ["volume", "import", "default", source, "--name", volume])
            try await joist.createGuest(instance, guest: guest, extra: ["--disk", "default/\(volume)"])
        }
        try FileManager.default.removeItem(atPath: source)
        return BackupBenchDisks(
            instance: "vm", twin: "twin", diskPath: joist.stateDirectory + "/storage/default/volumes/default/data.qcow2", size: size,
            twinPath: joist.stateDirectory + "/storage/default/volumes/default/twin-data.qcow2")
    }

    /// `twin`'s volume file.
    let twinPath: String

    /// Rewrites `count` chunk-sized blocks of `vm`'s disk with fresh random bytes, spread evenly over
    /// the disk (`shift` moves them, so rounds touch different blocks), through `qemu-io` on the
    /// stopped instance's image: the image's change records see the writes as a guest's would be.
    /// `twin`'s disk gets the same bytes (untimed), so it equals `vm`'s again for the next round.
    func rewrite(blocks count: Int, of blockSize: Int, shift: Int, folder: String) async throws {
        let blocks = Int(size / UInt64(blockSize))
        var commands: [String] = []
        var files: [String] = []
        for index in 0..<count {
            let file = folder + "/rewrite-\(index).bin"
            try await HostTools.run(
                "/bin/dd", ["if=/dev/urandom", "of=\(file)", "bs=\(blockSize)", "count=1", "iflag=fullblock", "status=none"])
            files.append(file)
            let block = (index * blocks / count + shift) % blocks
            commands += ["-c", "write -q -s \(file) \(UInt64(block) * UInt64(blockSize)) \(blockSize)"]
        }
        for path in [diskPath, twinPath] { try await HostTools.run(HostTools.qemuIO, ["-f", "qcow2"] + commands + [path]) }
        for file in files { try FileManager.default.removeItem(atPath: file) }
    }
}
