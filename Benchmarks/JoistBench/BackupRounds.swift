import Foundation
import JoistAPI
import JoistTesting

/// The rounds of B5: in each, a fresh backup store, then
/// 1. B5: a full backup of `vm` through the API and `qemu-img convert -f qcow2 -O qcow2` of its image
///    to the same file system, in the order that alternates each round;
/// 2. B5c: a full backup of `twin` (a second instance from the same image) into the same store;
/// 3. B5b: 1% of `vm`'s chunk-sized blocks rewritten with random bytes, then its incremental backup;
/// 4. restore of the round's full backup as a new instance.
///
/// Every side reads warm: the image was just written and fits in memory, and an untimed pass of both
/// sides runs first, so the comparison is of reading, hashing, compressing and writing, not of a cold
/// disk. Before every timed step, `sync` writes back what the one before left dirty, then the run
/// waits `settle` (see `ImportBench`: memory freed by the last step's deletions goes back to the
/// hypervisor about two seconds later, and a step racing that runs at a different speed).
struct BackupRounds {
    let joist: DaemonHarness
    let client: BenchClient
    let disks: BackupBenchDisks
    /// Where qemu-img's copies and the rewritten blocks' random bytes go.
    let folder: String
    /// Where the stores go: outside the daemon's state directory (joistd refuses a store inside it),
    /// on the same file system.
    let storesFolder: String
    let rounds: Int
    let settle: Duration
    /// The store's chunk size: what B5b rewrites in units of.
    static let blockSize = 4 << 20
    /// The share of the disk's blocks B5b rewrites.
    static let rewrittenShare = 0.01

    /// One backup: its time and what the daemon reports it read and stored.
    struct Backup: Codable {
        var seconds: Double
        var id: String
        var kind: String
        var stats: InstanceBackupStats
    }

    struct Round: Codable {
        /// `qemu-img` or `joist`: the side of B5 that ran first.
        var firstSide: String
        var qemuImgSeconds: Double
        var full: Backup
        var twin: Backup
        var incremental: Backup
        var restoreSeconds: Double
    }

    struct Result: Codable {
        var diskBytes: UInt64
        /// Bytes the disk's random half holds (the rest is zeros).
        var randomBytes: UInt64
        var rewrittenBlocks: Int
        var blockBytes: Int
        var settleSeconds: Double
        var rounds: [Round]
    }

    func run() async throws -> Result {
        let rewritten = max(1, Int((Double(disks.size / UInt64(Self.blockSize)) * Self.rewrittenShare).rounded()))
        // One untimed pass of each side: reads the image into the page cache and warms both paths.
        progress("B5: warm-up")
        _ = try await qemuImgCopy()
        let warmStore = try await makeStore("warm")
        _ = try await backup(disks.instance, into: "warm")
        try await dropStore("warm", warmStore)

        var done: [Round] = []
        for round in 0..<rounds {
            let name = "round\(round)"
            let path = try await makeStore(name)
            var qemuImg = Double.nan
            var full: Backup?
            let qemuFirst = round % 2 == 0
            for side in qemuFirst ? [true, false] : [false, true] {
                if side { qemuImg = try await qemuImgCopy() } else { full = try await backup(disks.instance, into: name) }
            }
            guard let full else { throw BenchError("round \(round): no full backup") }
            let twin = try await backup(disks.twin, into: name)
            try await disks.rewrite(blocks: rewritten, of: Self.blockSize, shift: round * 7 + 3, folder: folder)
            let incremental = try await backup(disks.instance, into: name)
            guard full.kind == "full", twin.kind == "full", incremental.kind == "incremental" else {
                throw BenchError("round \(round): expected full, full, incremental backups; got \(full.kind), \(twin.kind), \(incremental.kind)")
            }
            let restore = try await restoreSeconds(full.id, as: "restored\(round)")
            done.append(
                Round(
                    firstSide: qemuFirst ? "qemu-img" : "joist", qemuImgSeconds: qemuImg, full: full, twin: twin, incremental: incremental,
                    restoreSeconds: restore))
            progress(
                "B5 round \(round + 1)/\(rounds): qemu-img \(seconds(qemuImg)) s, joist full \(seconds(full.seconds)) s, "
                    + "twin full \(seconds(twin.seconds)) s (stored \(twin.stats.bytesStored) B new), incremental \(seconds(incremental.seconds)) s "
                    + "(read \(incremental.stats.bytesRead >> 20) MiB, stored \(incremental.stats.bytesStored >> 20) MiB), restore \(seconds(restore)) s")
            try await dropStore(name, path)
        }
        return Result(
            diskBytes: disks.size, randomBytes: disks.size / 2, rewrittenBlocks: rewritten, blockBytes: Self.blockSize,
            settleSeconds: settle.seconds, rounds: done)
    }

    /// Seconds of `qemu-img convert -f qcow2 -O qcow2 DISK COPY` into the bench folder; the copy is
    /// removed afterwards (untimed).
    private func qemuImgCopy() async throws -> Double {
        try await quiet()
        let copy = folder + "/copy.qcow2"
        let seconds = try await HostTools.timedRun(HostTools.qemuImg, ["convert", "-f", "qcow2", "-O", "qcow2", disks.diskPath, copy])
        try FileManager.default.removeItem(atPath: copy)
        return seconds
    }

    /// `POST /1.0/instances/NAME/backups {"store": STORE}` until its operation succeeded, timed; then
    /// the backup as the API lists it (untimed).
    private func backup(_ instance: String, into store: String) async throws -> Backup {
        try await quiet()
        var operation: JoistAPI.Operation?
        let seconds = try await timed {
            operation = try await client.finish(
                try await client.send(
                    .POST, "/1.0/instances/\(instance)/backups", json: InstanceBackupCreate(store: store), expect: .accepted,
                    as: JoistAPI.Operation.self), context: "backup of \(instance)")
        }
        guard let id = operation?.result?["backup"] else { throw BenchError("backup of \(instance): the operation names no backup") }
        let backup = try await client.get("/1.0/instances/\(instance)/backups/\(id)", as: InstanceBackup.self)
        return Backup(seconds: seconds, id: id, kind: backup.kind, stats: backup.stats)
    }

    /// Seconds of restoring backup `id` of `vm` as a new stopped instance; the instance and its
    /// volumes are deleted afterwards (untimed).
    private func restoreSeconds(_ id: String, as newName: String) async throws -> Double {
        try await quiet()
        let path = "/1.0/instances/\(disks.instance)/backups/\(id)/restore"
        let seconds = try await timed {
            _ = try await client.finish(
                try await client.send(.POST, path, json: InstanceBackupRestore(as: newName), expect: .accepted, as: JoistAPI.Operation.self),
                context: "POST \(path)")
        }
        try await client.deleteInstance(newName)
        return seconds
    }

    /// A new backup store `name` in the bench folder; returns its folder.
    private func makeStore(_ name: String) async throws -> String {
        let path = storesFolder + "/\(name)"
        try await HostTools.cli(joist, ["backup-store", "create", name, "--path", path])
        return path
    }

    /// Forgets the store and removes its folder (joistd leaves a deleted store's files alone).
    private func dropStore(_ name: String, _ path: String) async throws {
        try await HostTools.cli(joist, ["backup-store", "delete", name])
        try FileManager.default.removeItem(atPath: path)
    }

    private func quiet() async throws {
        try await HostTools.sync()
        try await Task.sleep(for: settle)
    }

    private func seconds(_ value: Double) -> String { String(format: "%.2f", value) }
}

extension BenchClient {
    /// Waits on `operation` until it is final, and returns it; throws unless it succeeded.
    func finish(_ operation: JoistAPI.Operation, context: String) async throws -> JoistAPI.Operation {
        var current = operation
        while !current.status.isFinal {
            current = try await get("/1.0/operations/\(current.id)/wait?timeout=60", as: JoistAPI.Operation.self)
        }
        guard current.status == .succeeded else {
            throw BenchError(
                "\(context): operation \(current.id) ended \(current.status.rawValue): \(current.error.map { "\($0.code): \($0.message)" } ?? "no error")")
        }
        return current
    }
}
