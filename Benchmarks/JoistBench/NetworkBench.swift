import Foundation
import JoistTesting

/// `joist-bench network`: throughput of the same two test guests over a Joist `nat` network against
/// QEMU's user-mode networking (guest → host, guest → guest), and the time to create and delete a
/// network, against a private joistd in a network namespace of its own (everything it makes stays
/// there and goes with it); printed as a table and written to `artifacts/bench-network.json`.
enum NetworkBench {
    static func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let rounds = Int(environment["JOIST_BENCH_NETWORK_ROUNDS"] ?? "") ?? 5
        let mebibytes = Int(environment["JOIST_BENCH_NETWORK_MIB"] ?? "") ?? 8
        let lifecycleRounds = Int(environment["JOIST_BENCH_NETWORK_LIFECYCLE_ROUNDS"] ?? "") ?? 10
        let guest = try await TestGuest.locate()
        let loadAtStart = APIBench.loadAverage()
        try await DaemonHarness.with(privateNetwork: true) { joist in
            let folder = joist.stateDirectory + "/bench"
            try FileManager.default.createDirectory(
                atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
            let client = BenchClient.make(.unix(socketPath: joist.socketPath))
            do {
                let lifecycle = try await NetworkLifecycleBench(joist: joist, client: client, folder: folder, rounds: lifecycleRounds).run()
                let throughput = try await ThroughputBench(
                    joist: joist, guest: guest, folder: folder, rounds: rounds, mebibytes: mebibytes
                ).run()
                let report = NetworkReport(
                    throughput: throughput, lifecycle: lifecycle, loadAverage: [loadAtStart, APIBench.loadAverage()])
                print(report.table)
                try write(report)
            } catch {
                await client.shutdown()
                throw error
            }
            await client.shutdown()
        }
    }

    static func write(_ report: NetworkReport) throws {
        let directory = RepositoryPaths.root + "/artifacts"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        try encoder.encode(report).write(to: URL(fileURLWithPath: directory + "/bench-network.json"))
        print("JSON: \(directory)/bench-network.json")
    }
}
