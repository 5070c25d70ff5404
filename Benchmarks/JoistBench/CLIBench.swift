import Foundation
import JoistTesting

/// `joist-bench cli`: what one `joist` invocation costs before and around its request. Timed
/// against `/bin/true` (the floor: spawning any process and waiting for it), in interleaved rounds
/// that rotate which command goes first: `joist --version` (start-up and argument parsing only),
/// `joist list` against a private joistd with nothing defined (a no-op request: connect, one
/// `GET`, an empty table), and `joist list` with no joistd at the socket (how fast it says so).
/// Printed as a table and written to `artifacts/bench-cli.json`.
enum CLIBench {
    struct Side: Codable {
        var label: String
        var argv: [String]
        /// The exit status every run must have.
        var status: Int32
        var seconds: [Double] = []
    }

    struct Report: Codable {
        var runs: Int
        var sides: [Side]
        /// `/proc/loadavg` before and after the run.
        var loadAverage: [String]

        var table: String {
            let floor = JoistBench.median(sides[0].seconds)
            var lines = [
                "| command (median of \(runs)) | median | p90 | ratio to `/bin/true` | above `/bin/true` |",
                "|---|---|---|---|---|",
            ]
            for side in sides {
                let median = JoistBench.median(side.seconds)
                let ratio = String(format: "%.1f", median / floor)
                lines.append(
                    "| \(side.label) | \(millis(median)) ms | \(millis(Samples(side.seconds).percentile(90))) ms | \(ratio) | \(millis(median - floor)) ms |")
            }
            return lines.joined(separator: "\n")
        }
    }

    static func run() async throws {
        let runs = Int(ProcessInfo.processInfo.environment["JOIST_BENCH_CLI_RUNS"] ?? "") ?? 30
        let loadAtStart = APIBench.loadAverage()
        try await DaemonHarness.with(privateNetwork: false) { joist in
            let missing = joist.stateDirectory + "/missing.sock"
            var sides = [
                Side(label: "`/bin/true`", argv: ["/bin/true"], status: 0),
                Side(label: "`joist --version`", argv: [joist.joist, "--version"], status: 0),
                Side(label: "`joist list`, nothing defined", argv: [joist.joist, "--socket", joist.socketPath, "list"], status: 0),
                Side(label: "`joist list`, no joistd", argv: [joist.joist, "--socket", missing, "list"], status: 1),
            ]
            // One untimed run of each: page cache, and a check that each does what the label says.
            for side in sides { _ = try time(side) }
            let refusal = try await joist.cli(["--socket", missing, "list"])
            guard refusal.stderr.contains("no such socket") else { throw BenchError("joist list without joistd: \(refusal)") }
            for run in 0..<runs {
                for offset in sides.indices {
                    let index = (run + offset) % sides.count
                    sides[index].seconds.append(try time(sides[index]))
                }
            }
            let report = Report(runs: runs, sides: sides, loadAverage: [loadAtStart, APIBench.loadAverage()])
            print(report.table)
            let directory = RepositoryPaths.root + "/artifacts"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(report).write(to: URL(fileURLWithPath: directory + "/bench-cli.json"))
            print("JSON: \(directory)/bench-cli.json")
        }
    }

    /// Seconds from spawning `side`'s command (output to /dev/null) until it has exited; throws
    /// unless it exits with the expected status. `posix_spawn` and `waitpid` directly, so the time
    /// holds no more than the process itself and what any spawn costs.
    static func time(_ side: Side) throws -> Double {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let argv: [UnsafeMutablePointer<CChar>?] = side.argv.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let start = ContinuousClock.now
        let spawned = posix_spawn(&pid, side.argv[0], &actions, nil, argv, environ)
        guard spawned == 0 else { throw BenchError("cannot run \(side.argv[0]): \(String(cString: strerror(spawned)))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let seconds = (ContinuousClock.now - start).seconds
        // Exited normally (low 7 bits zero) with the expected code.
        guard status & 0x7f == 0, (status >> 8) & 0xff == side.status else {
            throw BenchError("\(side.argv.joined(separator: " ")) ended with wait status \(status), expected exit \(side.status)")
        }
        return seconds
    }
}
