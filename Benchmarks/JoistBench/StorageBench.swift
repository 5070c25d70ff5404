import Foundation
import JoistCore
import JoistTesting

/// `joist-bench storage`: B9 (linked-clone launch time against the image's size) and B10 (volume
/// import throughput against plain `qemu-img convert`), against a private joistd; printed as a table
/// and written to `artifacts/bench-storage.json`.
enum StorageBench {
    static func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let rounds = Int(environment["JOIST_BENCH_STORAGE_ROUNDS"] ?? "") ?? 5
        let importSize = try ByteSize(parsing: environment["JOIST_BENCH_STORAGE_IMPORT_SIZE"] ?? "2GiB")
        let importFormat = environment["JOIST_BENCH_STORAGE_IMPORT_FORMAT"] ?? "raw"
        let settle = Double(environment["JOIST_BENCH_STORAGE_SETTLE"] ?? "") ?? 4
        // The root file system by default: a 10 GiB volume must fit in the pool's free space.
        let parent = environment["JOIST_BENCH_STATE_PARENT"] ?? "/tmp"
        let guest = try await TestGuest.locate()
        let loadAtStart = APIBench.loadAverage()
        try await DaemonHarness.with(parent: parent, privateNetwork: false) { joist in
            // Beside the pool, in the state directory: the same file system, and removed with it.
            let folder = joist.stateDirectory + "/bench"
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let client = BenchClient.make(.unix(socketPath: joist.socketPath))
            do {
                let launch = try await LaunchBench(joist: joist, client: client, guest: guest, folder: folder, rounds: rounds).run()
                let imports = try await ImportBench(
                    joist: joist, client: client, folder: folder, rounds: rounds, mebibytes: Int((importSize.bytes + (1 << 20) - 1) >> 20),
                    sourceFormat: importFormat, settle: .milliseconds(Int(settle * 1000))
                ).run()
                let report = StorageReport(
                    stateParent: parent, launch: launch, imports: imports, loadAverage: [loadAtStart, APIBench.loadAverage()])
                print(report.table)
                try write(report)
            } catch {
                await client.shutdown()
                throw error
            }
            await client.shutdown()
        }
    }

    static func write(_ report: StorageReport) throws {
        let directory = RepositoryPaths.root + "/artifacts"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        try encoder.encode(report).write(to: URL(fileURLWithPath: directory + "/bench-storage.json"))
        print("JSON: \(directory)/bench-storage.json")
    }
}
