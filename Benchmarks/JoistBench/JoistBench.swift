import Foundation
import JoistTesting

/// `joist-bench`: B1 (start latency against raw QEMU) and B3 (daemon memory); `joist-bench api`: the
/// API benchmarks (B2, B7, TLS against Unix); `joist-bench storage`: B9 (linked-clone launch) and B10
/// (import throughput); `joist-bench backup`: B5 (backups against `qemu-img convert`, incremental,
/// dedup, restore); `joist-bench network`: NAT network against user-mode throughput, network
/// create and delete; `joist-bench cli`: the CLI's start-up against `/bin/true`. Each prints a table
/// and writes JSON under `artifacts/`.
@main
struct JoistBench {
    static func main() async throws {
        switch CommandLine.arguments.dropFirst().first {
        case nil: try await startAndMemory()
        case "api": try await APIBench.run()
        case "storage": try await StorageBench.run()
        case "backup": try await BackupBench.run()
        case "backup-pipeline": try await BackupPipelineBench.run()
        case "network": try await NetworkBench.run()
        case "cli": try await CLIBench.run()
        case "sink": try ByteSink.run(Array(CommandLine.arguments.dropFirst(2)))
        case let mode?:
            progress("unknown mode '\(mode)'; usage: joist-bench [api|storage|backup|network|cli] (no argument: B1, B3; api: B2, B7, TLS; storage: B9, B10; backup: B5; network: NAT against user-mode throughput, network create/delete; cli: joist start-up against /bin/true)")
            exit(2)
        }
    }

    /// B1 and B3, written to `artifacts/bench.json`.
    static func startAndMemory() async throws {
        let runs = Int(ProcessInfo.processInfo.environment["JOIST_BENCH_RUNS"] ?? "") ?? 10
        let guest = try await TestGuest.locate()
        try await DaemonHarness.with(privateNetwork: false) { joist in
            let side = JoistSide(joist: joist, guest: guest)
            let raw = RawQEMU(directory: joist.stateDirectory + "/raw", guest: guest, binary: "/usr/bin/qemu-system-x86_64")

            let idleRSS = try side.daemonRSS()
            try await side.prepare("bench")
            var joistTimes: [Double] = []
            var rawTimes: [Double] = []
            for run in 0..<runs {
                // Interleaved, alternating which goes first, so drift on a noisy machine hits both sides.
                if run % 2 == 0 {
                    joistTimes.append(try await side.bootToMarker("bench"))
                    rawTimes.append(try await raw.bootToMarker(run: run))
                } else {
                    rawTimes.append(try await raw.bootToMarker(run: run))
                    joistTimes.append(try await side.bootToMarker("bench"))
                }
                FileHandle.standardError.write(Data("run \(run + 1)/\(runs): joist \(ms(joistTimes.last)) ms, raw \(ms(rawTimes.last)) ms\n".utf8))
            }

            // Per-guest memory is the slope between 1 and 11 running guests, so one-time warm-up
            // (code paths touched by the first guest) is not charged to every guest.
            let guests = 11
            var oneGuestRSS = (total: 0, anonymous: 0)
            for index in 0..<guests {
                try await joist.createGuest("rss\(index)", guest: guest, extra: ["--memory", "128MiB"])
                _ = try await joist.cli(["start", "rss\(index)"])
                if index == 0 {
                    _ = try await joist.waitForConsole("rss0", containing: TestGuest.readyMarker, timeout: .seconds(120))
                    oneGuestRSS = try side.daemonRSS()
                }
            }
            for index in 0..<guests {
                _ = try await joist.waitForConsole("rss\(index)", containing: TestGuest.readyMarker, timeout: .seconds(120))
            }
            let busyRSS = try side.daemonRSS()
            for index in 0..<guests { _ = try await joist.cli(["delete", "--force", "rss\(index)"]) }

            let report = Report(
                runs: runs, joistMedian: median(joistTimes), rawMedian: median(rawTimes), idleRSSKiB: idleRSS.total,
                idleAnonKiB: idleRSS.anonymous, oneGuestRSSKiB: oneGuestRSS.total, elevenGuestsRSSKiB: busyRSS.total,
                oneGuestAnonKiB: oneGuestRSS.anonymous, elevenGuestsAnonKiB: busyRSS.anonymous,
                joistTimes: joistTimes, rawTimes: rawTimes)
            print(report.table)
            let path = RepositoryPaths.root + "/artifacts/bench.json"
            try FileManager.default.createDirectory(atPath: RepositoryPaths.root + "/artifacts", withIntermediateDirectories: true)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(report).write(to: URL(fileURLWithPath: path))
            print("JSON: \(path)")
        }
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return .nan }
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    static func ms(_ value: Double?) -> String { value.map { String(format: "%.0f", $0 * 1000) } ?? "-" }
}

struct Report: Encodable {
    let runs: Int
    let joistMedian: Double
    let rawMedian: Double
    let idleRSSKiB: Int
    let idleAnonKiB: Int
    let oneGuestRSSKiB: Int
    let elevenGuestsRSSKiB: Int
    let oneGuestAnonKiB: Int
    let elevenGuestsAnonKiB: Int
    let joistTimes: [Double]
    let rawTimes: [Double]

    var table: String {
        let ratio = joistMedian / rawMedian
        let overhead = (joistMedian - rawMedian) * 1000
        let perGuest = (elevenGuestsRSSKiB - oneGuestRSSKiB) / 10
        let perGuestAnon = (elevenGuestsAnonKiB - oneGuestAnonKiB) / 10
        return """
            | benchmark | joist | raw QEMU | ratio | target |
            |---|---|---|---|---|
            | B1 start → JOIST-GUEST-READY (median of \(runs)) | \(JoistBench.ms(joistMedian)) ms | \(JoistBench.ms(rawMedian)) ms | \(String(format: "%.3f", ratio)) (overhead \(String(format: "%+.0f", overhead)) ms) | ≤ 1.05, ≤ 30 ms |
            | B3 joistd RSS, idle | \(idleRSSKiB / 1024) MiB (anonymous \(idleAnonKiB / 1024) MiB) | | | ≤ 25 MiB |
            | B3 joistd RSS per running guest (1 → 11 guests) | \(perGuest) KiB (anonymous \(perGuestAnon) KiB) | | | ≤ 200 KiB |
            """
    }
}
