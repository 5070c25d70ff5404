import Foundation

/// B5's results: headline numbers, every round behind them, and the table.
struct BackupReport: Encodable {
    struct Headline: Encodable {
        /// The disk's virtual size over the median time, MiB/s.
        var fullMiBPerSecond: Double
        var qemuImgMiBPerSecond: Double
        /// Joist's rate over qemu-img's (qemu-img's time over joist's): per round, and of the medians. Target ≥ 1.0.
        var fullRatio: StorageReport.Ratio
        /// Incremental time over the same round's full backup time. Target ≤ 5%.
        var incrementalTimeShare: Double
        /// Bytes the incremental read over the bytes the full read (the whole disk).
        var incrementalReadShare: Double
        /// Bytes the incremental stored over the bytes the full stored. Target ≤ 2%.
        var incrementalStoredShare: Double
        /// Bytes the twin's full backup stored over the bytes `vm`'s full stored. Target ≤ 0.5%.
        var dedupStoredShare: Double
        var twinMiBPerSecond: Double
        var restoreMiBPerSecond: Double
        var fullSeconds: Double
        var incrementalSeconds: Double
        var fullBytesStored: UInt64
        /// What the full backup read: the disk less the chunks its allocation map says are zeros.
        var fullBytesRead: UInt64
        var incrementalBytesRead: UInt64
        var incrementalBytesStored: UInt64
        var twinBytesStored: UInt64
    }

    let headline: Headline
    let stateParent: String
    let result: BackupRounds.Result
    /// The point-in-time step of a running guest's backups.
    let pause: BackupPauseBench.Result
    /// `/proc/loadavg` before and after the run.
    let loadAverage: [String]

    init(stateParent: String, result: BackupRounds.Result, pause: BackupPauseBench.Result, loadAverage: [String]) {
        self.stateParent = stateParent
        self.result = result
        self.pause = pause
        self.loadAverage = loadAverage
        let rounds = result.rounds
        let mebibytes = Double(result.diskBytes) / 1_048_576
        let median = JoistBench.median
        func share(_ part: (BackupRounds.Round) -> Double, _ whole: (BackupRounds.Round) -> Double) -> Double {
            median(rounds.map { part($0) / whole($0) })
        }
        headline = Headline(
            fullMiBPerSecond: mebibytes / median(rounds.map(\.full.seconds)),
            qemuImgMiBPerSecond: mebibytes / median(rounds.map(\.qemuImgSeconds)),
            fullRatio: StorageReport.Ratio(rounds.map(\.qemuImgSeconds), over: rounds.map(\.full.seconds)),
            incrementalTimeShare: share(\.incremental.seconds, \.full.seconds),
            incrementalReadShare: share({ Double($0.incremental.stats.bytesRead) }, { Double($0.full.stats.bytesRead) }),
            incrementalStoredShare: share({ Double($0.incremental.stats.bytesStored) }, { Double($0.full.stats.bytesStored) }),
            dedupStoredShare: share({ Double($0.twin.stats.bytesStored) }, { Double($0.full.stats.bytesStored) }),
            twinMiBPerSecond: mebibytes / median(rounds.map(\.twin.seconds)),
            restoreMiBPerSecond: mebibytes / median(rounds.map(\.restoreSeconds)),
            fullSeconds: median(rounds.map(\.full.seconds)), incrementalSeconds: median(rounds.map(\.incremental.seconds)),
            fullBytesStored: UInt64(median(rounds.map { Double($0.full.stats.bytesStored) })),
            fullBytesRead: UInt64(median(rounds.map { Double($0.full.stats.bytesRead) })),
            incrementalBytesRead: UInt64(median(rounds.map { Double($0.incremental.stats.bytesRead) })),
            incrementalBytesStored: UInt64(median(rounds.map { Double($0.incremental.stats.bytesStored) })),
            twinBytesStored: UInt64(median(rounds.map { Double($0.twin.stats.bytesStored) })))
    }

    var table: String {
        let h = headline, r = result
        let disk = "\(r.diskBytes >> 30) GiB disk, \(r.randomBytes >> 20) MiB random"
        return [
            "| benchmark | joist | compared with | ratio: per round (of medians) | target |",
            "|---|---|---|---|---|",
            "| B5 full backup, \(disk) (median of \(r.rounds.count)) | \(rate(h.fullMiBPerSecond)) (\(secs(h.fullSeconds))) | `qemu-img convert -O qcow2` \(rate(h.qemuImgMiBPerSecond)) | \(number(h.fullRatio.perRound)) (\(number(h.fullRatio.ofMedians))) | ≥ 1.0 |",
            "| B5b incremental after rewriting \(r.rewrittenBlocks) of \(r.diskBytes / UInt64(r.blockBytes)) blocks of \(r.blockBytes >> 20) MiB: time | \(secs(h.incrementalSeconds)) | full \(secs(h.fullSeconds)) | \(percent(h.incrementalTimeShare)) | ≤ 5% |",
            "| B5b incremental: bytes read | \(mib(h.incrementalBytesRead)) | full \(mib(h.fullBytesRead)) | \(percent(h.incrementalReadShare)) | |",
            "| B5b incremental: bytes stored | \(mib(h.incrementalBytesStored)) | full \(mib(h.fullBytesStored)) | \(percent(h.incrementalStoredShare)) | ≤ 2% |",
            "| B5c full backup of a second instance from the same image, same store: new bytes stored | \(h.twinBytesStored) B (\(rate(h.twinMiBPerSecond))) | full \(mib(h.fullBytesStored)) | \(percent(h.dedupStoredShare)) | ≤ 0.5% |",
            "| restore as a new instance (`restore --as`) | \(rate(h.restoreMiBPerSecond)) | | | |",
            "| running guest: QMP `transaction` of the point-in-time step (median, max of \(pause.transactionMilliseconds.count)) | \(ms(JoistBench.median(pause.transactionMilliseconds))) ms, max \(ms(pause.transactionMilliseconds.max() ?? .nan)) ms | writes held (freeze to thaw) \(ms(JoistBench.median(pause.frozenMilliseconds))) ms | | |",
        ].joined(separator: "\n")
    }

    private func rate(_ value: Double) -> String { value.isFinite ? "\(Int(value.rounded())) MiB/s" : "-" }
    private func secs(_ value: Double) -> String { value.isFinite ? String(format: "%.2f s", value) : "-" }
    private func mib(_ bytes: UInt64) -> String { "\(bytes >> 20) MiB" }
    private func ms(_ value: Double) -> String { value.isFinite ? String(format: "%.1f", value) : "-" }
    private func number(_ value: Double) -> String { value.isFinite ? String(format: "%.2f", value) : "-" }
    private func percent(_ value: Double) -> String { value.isFinite ? String(format: "%.2f%%", value * 100) : "-" }
}
