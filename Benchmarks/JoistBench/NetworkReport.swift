import Foundation

/// The network benchmarks' results: throughput over a Joist `nat` network against user-mode
/// networking, and network create/delete times against the same host changes by hand; headline
/// numbers, every round behind them, and the table.
struct NetworkReport: Encodable {
    typealias Ratio = StorageReport.Ratio
    typealias Path = ThroughputBench.Path
    typealias Side = NetworkLifecycleBench.Side

    struct Headline: Encodable {
        /// Median MiB/s by `Path.rawValue`.
        var mebibytesPerSecond: [String: Double]
        /// NAT network over user-mode: throughput guest → host, and guest → guest.
        var toHostRatio: Ratio
        var toGuestRatio: Ratio
        /// Median milliseconds by `Side.rawValue`.
        var createMilliseconds: [String: Double]
        var deleteMilliseconds: [String: Double]
    }

    let headline: Headline
    let throughput: ThroughputBench.Result
    let lifecycle: NetworkLifecycleBench.Result
    /// `/proc/loadavg` before and after the run.
    let loadAverage: [String]

    init(throughput: ThroughputBench.Result, lifecycle: NetworkLifecycleBench.Result, loadAverage: [String]) {
        self.throughput = throughput
        self.lifecycle = lifecycle
        self.loadAverage = loadAverage
        func rates(_ path: Path) -> [Double] { throughput.series(path).map(\.mebibytesPerSecond) }
        func milliseconds(_ times: [String: [Double]]) -> [String: Double] { times.mapValues { JoistBench.median($0) * 1000 } }
        headline = Headline(
            mebibytesPerSecond: Dictionary(uniqueKeysWithValues: Path.allCases.map { ($0.rawValue, JoistBench.median(rates($0))) }),
            toHostRatio: Ratio(rates(.natToHost), over: rates(.userToHost)),
            toGuestRatio: Ratio(rates(.natToGuest), over: rates(.userToGuest)),
            createMilliseconds: milliseconds(lifecycle.create), deleteMilliseconds: milliseconds(lifecycle.delete))
    }

    var table: String {
        let size = "\(throughput.mebibytes) MiB"
        let rounds = throughput.rounds
        return [
            "| benchmark | NAT network | user-mode networking | ratio NAT/user: per round (of medians) |",
            "|---|---|---|---|",
            "| guest → host TCP, \(size) (median of \(rounds)) | \(rate(.natToHost)) to the gateway | \(rate(.userToHost)) to 10.0.2.2 (host loopback) | \(ratio(headline.toHostRatio)) |",
            "| guest → guest TCP, \(size) | \(rate(.natToGuest)) directly | \(rate(.userToGuest)) via a hostfwd on the receiver, its only path | \(ratio(headline.toGuestRatio)) |",
            "| guest → host: QEMU's threads other than the vCPU, CPU per MiB | \(perMiB(.natToHost, \.qemuOtherSeconds)) | \(perMiB(.userToHost, \.qemuOtherSeconds)) | \(cpuRatio(.natToHost, .userToHost, \.qemuOtherSeconds)) |",
            "| guest → guest: both QEMUs' threads other than the vCPUs, CPU per MiB | \(perMiB(.natToGuest, \.qemuOtherSeconds)) | \(perMiB(.userToGuest, \.qemuOtherSeconds)) | \(cpuRatio(.natToGuest, .userToGuest, \.qemuOtherSeconds)) |",
            "| guest → host: the sender's own CPU (guest user + sys) per MiB | \(perMiB(.natToHost, \.guestCPUSeconds)) | \(perMiB(.userToHost, \.guestCPUSeconds)) | \(cpuRatio(.natToHost, .userToHost, \.guestCPUSeconds)) |",
            "| guest → guest: the sender's own CPU per MiB | \(perMiB(.natToGuest, \.guestCPUSeconds)) | \(perMiB(.userToGuest, \.guestCPUSeconds)) | \(cpuRatio(.natToGuest, .userToGuest, \.guestCPUSeconds)) |",
            "",
            "| benchmark | joist | by hand (same host changes, one shell script) | ratio: per round (of medians) |",
            "|---|---|---|---|",
            lifecycleRow("`joist network create NAME --type nat --subnet …` (median of \(lifecycle.rounds))", lifecycle.create, .cli),
            lifecycleRow("`POST /1.0/networks`", lifecycle.create, .api),
            lifecycleRow("`joist network delete NAME`", lifecycle.delete, .cli),
            lifecycleRow("`DELETE /1.0/networks/NAME`", lifecycle.delete, .api),
        ].joined(separator: "\n")
    }

    private func lifecycleRow(_ label: String, _ times: [String: [Double]], _ side: Side) -> String {
        let joist = times[side.rawValue] ?? []
        let hand = times[Side.hand.rawValue] ?? []
        return "| \(label) | \(millis(JoistBench.median(joist))) ms | \(millis(JoistBench.median(hand))) ms | \(ratio(Ratio(joist, over: hand))) |"
    }

    private func rate(_ path: Path) -> String {
        let value = headline.mebibytesPerSecond[path.rawValue] ?? .nan
        return value.isFinite ? String(format: "%.2f MiB/s", value) : "-"
    }

    /// The median over rounds of `cost` seconds per MiB.
    private func perMiB(_ path: Path, _ cost: KeyPath<ThroughputBench.Transfer, Double>) -> String {
        String(format: "%.3f s", JoistBench.median(costs(path, cost)))
    }

    private func costs(_ path: Path, _ cost: KeyPath<ThroughputBench.Transfer, Double>) -> [Double] {
        throughput.series(path).map { $0[keyPath: cost] / (Double($0.bytes) / 1_048_576) }
    }

    private func cpuRatio(_ a: Path, _ b: Path, _ cost: KeyPath<ThroughputBench.Transfer, Double>) -> String {
        ratio(Ratio(costs(a, cost), over: costs(b, cost)))
    }

    private func ratio(_ value: Ratio) -> String { "\(number(value.perRound)) (\(number(value.ofMedians)))" }
    private func number(_ value: Double) -> String { value.isFinite ? String(format: "%.2f", value) : "-" }
}
