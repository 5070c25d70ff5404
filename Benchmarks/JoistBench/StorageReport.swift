import Foundation

/// The storage benchmarks' results (B9 linked-clone launch, B10 import throughput): headline numbers,
/// every round behind them, and the table.
struct StorageReport: Encodable {
    /// Each comparison as two ratios: the median of the ratios within each round (the two sides ran
    /// back to back, so drift of the machine over the run cancels), and the ratio of the medians.
    struct Ratio: Encodable {
        var perRound: Double
        var ofMedians: Double

        /// `a` over `b`, both indexed by round.
        init(_ a: [Double], over b: [Double]) {
            perRound = JoistBench.median(zip(a, b).map { $0 / $1 })
            ofMedians = JoistBench.median(a) / JoistBench.median(b)
        }
    }

    struct Headline: Encodable {
        var launchCLI1GiB: Double
        var launchCLI10GiB: Double
        /// 10 GiB over 1 GiB, `joist launch --no-start`: ≈ 1 when the time does not grow with the image.
        var launchCLIRatio: Ratio
        var launchAPI1GiB: Double
        var launchAPI10GiB: Double
        var launchAPIRatio: Ratio
        var overlay1GiB: Double
        var overlay10GiB: Double
        var overlayRatio: Ratio
        var importCLIMiBPerSecond: Double
        var importAPIMiBPerSecond: Double
        var qemuImgMiBPerSecond: Double
        /// `joist volume import`'s rate over qemu-img's; the target is ≥ 0.95.
        var importCLIRatio: Ratio
        var importAPIRatio: Ratio
        /// Median seconds of importing the 1 MiB source: each side's fixed cost.
        var fixedCLI: Double
        var fixedAPI: Double
        var fixedQemuImg: Double
    }

    let headline: Headline
    /// The folder the daemon's state directory (and every file here) was made in.
    let stateParent: String
    let launch: LaunchBench.Result
    let imports: ImportBench.Result
    /// `/proc/loadavg` before and after the run.
    let loadAverage: [String]

    init(stateParent: String, launch: LaunchBench.Result, imports: ImportBench.Result, loadAverage: [String]) {
        self.stateParent = stateParent
        self.launch = launch
        self.imports = imports
        self.loadAverage = loadAverage
        let small = launch.series.first { $0.gibibytes == 1 } ?? LaunchBench.Series(gibibytes: 1)
        let large = launch.series.first { $0.gibibytes == 10 } ?? LaunchBench.Series(gibibytes: 10)
        let times = imports.seconds
        headline = Headline(
            launchCLI1GiB: small.medianCLI, launchCLI10GiB: large.medianCLI, launchCLIRatio: Ratio(large.cli, over: small.cli),
            launchAPI1GiB: small.medianAPI, launchAPI10GiB: large.medianAPI, launchAPIRatio: Ratio(large.api, over: small.api),
            overlay1GiB: small.medianOverlay, overlay10GiB: large.medianOverlay, overlayRatio: Ratio(large.overlay, over: small.overlay),
            importCLIMiBPerSecond: imports.medianMiBPerSecond(.cli), importAPIMiBPerSecond: imports.medianMiBPerSecond(.api),
            qemuImgMiBPerSecond: imports.medianMiBPerSecond(.qemuImg),
            // Rates go inversely with times: qemu-img's time over joist's is joist's rate over qemu-img's.
            importCLIRatio: Ratio(times.qemuImg, over: times.cli), importAPIRatio: Ratio(times.qemuImg, over: times.api),
            fixedCLI: JoistBench.median(imports.smallSeconds.cli), fixedAPI: JoistBench.median(imports.smallSeconds.api),
            fixedQemuImg: JoistBench.median(imports.smallSeconds.qemuImg))
    }

    var table: String {
        let h = headline
        let rounds = launch.rounds
        let size = "\(imports.sourceBytes >> 20) MiB \(imports.sourceFormat)"
        return [
            "| benchmark | joist | compared with | ratio: per round (of medians) | target |",
            "|---|---|---|---|---|",
            "| B9 `joist launch IMAGE NAME --no-start`, 10 GiB image (median of \(rounds)) | \(millis(h.launchCLI10GiB)) ms | 1 GiB image \(millis(h.launchCLI1GiB)) ms | \(ratio(h.launchCLIRatio)) | ≤ 1.2 |",
            "| B9 `POST /1.0/instances` with `image`, 10 GiB image | \(millis(h.launchAPI10GiB)) ms | 1 GiB image \(millis(h.launchAPI1GiB)) ms | \(ratio(h.launchAPIRatio)) | ≤ 1.2 |",
            "| B9 floor: `qemu-img create -f qcow2 -b IMAGE` by hand, 10 GiB image | \(millis(h.overlay10GiB)) ms | 1 GiB image \(millis(h.overlay1GiB)) ms | \(ratio(h.overlayRatio)) | |",
            "| B10 `joist volume import` \(size) → qcow2 (median of \(imports.rounds)) | \(rate(h.importCLIMiBPerSecond)) | `qemu-img convert -O qcow2` \(rate(h.qemuImgMiBPerSecond)) | \(ratio(h.importCLIRatio)) | ≥ 0.95 |",
            "| B10 `POST …/volumes/NAME/import` + operation wait, same file | \(rate(h.importAPIMiBPerSecond)) | `qemu-img convert -O qcow2` \(rate(h.qemuImgMiBPerSecond)) | \(ratio(h.importAPIRatio)) | |",
            "| B10 fixed cost: the same three with a 1 MiB source | CLI \(millis(h.fixedCLI)) ms, API \(millis(h.fixedAPI)) ms | qemu-img \(millis(h.fixedQemuImg)) ms | | |",
        ].joined(separator: "\n")
    }

    private func rate(_ value: Double) -> String { value.isFinite ? "\(Int(value.rounded())) MiB/s" : "-" }
    private func ratio(_ value: Ratio) -> String { "\(number(value.perRound)) (\(number(value.ofMedians)))" }
    private func number(_ value: Double) -> String { value.isFinite ? String(format: "%.2f", value) : "-" }
}
