public import JoistCore
public import Logging
public import QMP
import Synchronization

/// A point-in-time view of a guest's disks, exported over NBD for one backup: `open` captures the
/// moment (with the bitmap switch that makes the next backup incremental), the backup reads each
/// `DiskExport`, and `close` takes the view down and settles the bitmaps by whether the backup
/// succeeded. See `PointInTimePlan` for the QEMU mechanics.
///
/// One session at a time per QEMU: the session owns the QEMU's NBD server.
public final class PointInTimeSession: Sendable {
    /// One export per disk, in the order given to `open`.
    public let exports: [DiskExport]
    public let plan: PointInTimePlan

    private let runner: PointInTimeRunner
    private let logger: Logger
    private let closed = Mutex(false)
    private let freeze = Mutex<FilesystemFreeze?>(nil)

    /// Whether the guest's filesystems were frozen at the moment captured; nil without a quiescer.
    public var filesystemFreeze: FilesystemFreeze? { freeze.withLock { $0 } }

    private init(plan: PointInTimePlan, runner: PointInTimeRunner, logger: Logger) {
        self.plan = plan
        self.runner = runner
        self.logger = logger
        exports = plan.disks.map { disk in
            DiskExport(
                source: disk.source, socketPath: plan.socketPath, exportName: disk.exportName, size: disk.size,
                checkpoint: plan.checkpoint, changes: disk.changes)
        }
    }

    /// Captures `disks` as they are now and exports them on `socketPath`.
    ///
    /// - Parameters:
    ///   - qmp: the guest's QEMU (or, for a stopped guest, a storage daemon holding its disks).
    ///   - checkpoint: names this backup; the next one counts changes from it.
    ///   - scratchDirectory: where fleecing overlays go; they grow by what the guest overwrites while
    ///     the backup runs, so put them where the disks are, not on a small tmpfs.
    ///   - fleecing: false when nothing writes to the disks (a stopped guest).
    ///   - quiescer: freezes the guest's filesystems around the moment.
    ///   - snapshot: a disk snapshot to take in the same instant; it stays only if the backup succeeds.
    /// - Throws: `notFound` when a disk is not open in that QEMU; `invalidState` when a backup of a disk
    ///   is already running; `hostFailure` when QEMU refuses a step. A failed open leaves nothing behind
    ///   and the bitmaps as they were.
    public static func open(
        qmp: QMPClient, disks: [BackupDisk], checkpoint: BackupCheckpoint, socketPath: String, scratchDirectory: String,
        fleecing: Bool = true, snapshot: PointInTimePlan.Snapshot? = nil, quiescer: (any GuestQuiescer)? = nil,
        settleTimeout: Duration = .seconds(30), logger: Logger
    ) async throws -> PointInTimeSession {
        let runner = PointInTimeRunner(qmp: qmp, settleTimeout: settleTimeout)
        let plan: PointInTimePlan
        do {
            plan = try await makePlan(
                qmp: qmp, disks: disks, checkpoint: checkpoint, socketPath: socketPath, scratchDirectory: scratchDirectory,
                fleecing: fleecing, snapshot: snapshot)
        } catch {
            throw failure(error, "cannot prepare the backup of \(disks.map(\.source.description).joined(separator: ", "))")
        }
        let session = PointInTimeSession(plan: plan, runner: runner, logger: logger)
        try await session.start(quiescer: quiescer)
        return session
    }

    /// Takes the view down and settles the bitmaps: after a successful backup the new checkpoint's
    /// bitmap carries on and the base's goes; otherwise the changes stay counted from the base, so the
    /// next backup misses nothing. Calling it again does nothing.
    ///
    /// - Throws: `hostFailure` when the point-in-time view broke while the backup read it (the backup
    ///   must then be discarded, and the bitmaps are kept as for a failure), or when teardown failed.
    public func close(succeeded: Bool) async throws {
        guard closed.withLock({ closed in defer { closed = true }; return !closed }) else { return }
        var failures: [String] = []
        var keep = succeeded
        if succeeded, let broken = await brokenView() {
            failures.append(broken)
            keep = false
        }
        failures += await runner.runAll(plan.teardown)
        let stale = (try? await staleBitmaps()) ?? [:]
        if let finish = plan.finish(succeeded: keep, otherBitmaps: stale) {
            failures += await runner.runAll([finish])
        }
        if !keep { failures += await runner.runAll(plan.dropSnapshot) }
        logger.info("backup view closed", metadata: ["checkpoint": "\(plan.checkpoint)", "kept": "\(keep)"])
        guard failures.isEmpty else {
            throw JoistError.hostFailure("backup checkpoint \(plan.checkpoint): \(failures.joined(separator: "; "))")
        }
    }

    private func start(quiescer: (any GuestQuiescer)?) async throws {
        var transactionDone = false
        do {
            if try await leftovers() {
                logger.warning("taking down the view an interrupted backup left", metadata: ["checkpoint": "\(plan.checkpoint)"])
                _ = await runner.runAll(plan.teardown)
            }
            try await runner.run(plan.prepare)
            // How long the guest's writes wait: its filesystems are frozen from the freeze to the thaw,
            // and QEMU holds its disks still for the transaction.
            let clock = ContinuousClock()
            let frozenAt = clock.now
            let transaction: Duration
            if let quiescer {
                let (elapsed, frozen) = try await quiescer.whileFrozen {
                    try await clock.measure { try await runner.run(plan.transaction) }
                }
                freeze.withLock { $0 = frozen }
                transaction = elapsed
            } else {
                transaction = try await clock.measure { try await runner.run(plan.transaction) }
            }
            transactionDone = true
            let frozen = clock.now - frozenAt
            try await runner.run(plan.exports)
            logger.info(
                "backup view open",
                metadata: [
                    "checkpoint": "\(plan.checkpoint)", "socket": "\(plan.socketPath)",
                    "transactionMs": "\(Self.milliseconds(transaction))", "frozenMs": "\(Self.milliseconds(frozen))",
                ])
        } catch {
            _ = await runner.runAll(plan.teardown)
            if transactionDone {
                if let finish = plan.finish(succeeded: false) { _ = await runner.runAll([finish]) }
                _ = await runner.runAll(plan.dropSnapshot)
            }
            closed.withLock { $0 = true }
            throw Self.failure(error, "cannot export a point-in-time view for backup \(plan.checkpoint)")
        }
    }

    private static func milliseconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        return "\(((Double(seconds) * 1000 + Double(attoseconds) / 1e15) * 100).rounded() / 100)"
    }

    /// Why the view can no longer be trusted (a fleecing job ended: QEMU no longer keeps old contents),
    /// or nil when it is intact.
    private func brokenView() async -> String? {
        guard plan.fleecing else { return nil }
        guard let jobs = try? await runner.qmp.queryBlockJobs() else { return "cannot query the fleecing jobs" }
        for disk in plan.disks where !jobs.contains(where: { $0.id == disk.jobID && $0.status == "running" }) {
            return "the point-in-time view of disk \(disk.source) ended while the backup read it: the backup is not consistent"
        }
        return nil
    }

    /// Whether the names this plan uses are taken already: an earlier session was interrupted.
    private func leftovers() async throws -> Bool {
        let nodes = Set(try await runner.qmp.queryNamedBlockNodes().map(\.nodeName))
        let exports = Set(try await runner.qmp.queryBlockExports())
        return plan.disks.contains { disk in
            disk.addedNodes.contains(where: nodes.contains) || exports.contains(disk.exportID)
        }
    }

    /// The bitmaps on each disk (the plan picks Joist's stale ones).
    private func staleBitmaps() async throws -> [String: [String]] {
        let bitmaps = try await runner.qmp.queryDirtyBitmaps()
        var stale: [String: [String]] = [:]
        for disk in plan.disks {
            stale[disk.names.node] = (bitmaps[disk.names.node] ?? []).map(\.name)
        }
        return stale
    }

    private static func makePlan(
        qmp: QMPClient, disks: [BackupDisk], checkpoint: BackupCheckpoint, socketPath: String, scratchDirectory: String,
        fleecing: Bool, snapshot: PointInTimePlan.Snapshot?
    ) async throws -> PointInTimePlan {
        let nodes = try await qmp.queryNamedBlockNodes()
        let bitmaps = try await qmp.queryDirtyBitmaps()
        var planned: [(source: DiskSpec.Source, format: DiskFormat, size: Int64, changes: ChangeTracking)] = []
        for disk in disks {
            let node = DiskNames(for: disk.source).node
            guard let size = nodes.first(where: { $0.nodeName == node })?.virtualSize else {
                throw JoistError.notFound("disk \(disk.source) is not open in QEMU (no node \(node))")
            }
            let onDisk = bitmaps[node] ?? []
            if onDisk.contains(where: { $0.name == checkpoint.bitmapName }) {
                throw JoistError.alreadyExists("disk \(disk.source) already has backup checkpoint \(checkpoint)")
            }
            planned.append((disk.source, disk.format, size, try ChangeTracking.decide(previous: disk.since, format: disk.format, bitmaps: onDisk)))
        }
        return PointInTimePlan(
            disks: planned, checkpoint: checkpoint, socketPath: socketPath, scratchDirectory: scratchDirectory, fleecing: fleecing,
            snapshot: snapshot)
    }

    private static func failure(_ error: any Error, _ what: String) -> JoistError {
        switch error {
        case let error as JoistError: JoistError(error.code, "\(what): \(error.message)")
        case QMPError.timeout(let detail): JoistError(.timeout, "\(what): \(detail)")
        default: .hostFailure("\(what): \(error)")
        }
    }
}

extension PointInTimeSession {
    /// Takes down the view of backup `checkpoint` that a daemon which died mid-backup left in `qmp`'s
    /// QEMU (exports, fleecing jobs and overlays, the NBD server, scratch files), deletes the disk
    /// snapshot taken with it, and settles the bitmaps (`PointInTimePlan.settleInterrupted`). Each
    /// step passes over what is not there, so it is safe whatever point the backup reached.
    ///
    /// - Returns: what could not be done, in words (empty when all went well).
    public static func recover(
        qmp: QMPClient, disks: [BackupDisk], checkpoint: BackupCheckpoint, socketPath: String, scratchDirectory: String,
        snapshot: PointInTimePlan.Snapshot?, settleTimeout: Duration = .seconds(30)
    ) async -> [String] {
        let runner = PointInTimeRunner(qmp: qmp, settleTimeout: settleTimeout)
        let plan = PointInTimePlan(
            disks: disks.map { (source: $0.source, format: $0.format, size: 0, changes: $0.since.map { .since($0) } ?? .full(reason: "")) },
            checkpoint: checkpoint, socketPath: socketPath, scratchDirectory: scratchDirectory, fleecing: true, snapshot: snapshot)
        var failures = await runner.runAll(plan.teardown)
        failures += await runner.runAll(plan.dropSnapshot)
        do {
            if let settle = plan.settleInterrupted(bitmaps: try await qmp.queryDirtyBitmaps()) {
                let failed = await runner.runAll([settle])
                if !failed.isEmpty {
                    // The merge cannot be done: at least drop the interrupted checkpoint's bitmap.
                    failures += failed
                    let remove = plan.disks.filter(\.tracksChanges).map { disk in
                        PointInTimeStep.command(
                            "block-dirty-bitmap-remove", .object([("node", .string(disk.names.node)), ("name", .string(checkpoint.bitmapName))]))
                    }
                    _ = await runner.runAll(remove)
                }
            }
        } catch {
            failures.append("cannot read the disks' bitmaps: \(error)")
        }
        return failures
    }
}
