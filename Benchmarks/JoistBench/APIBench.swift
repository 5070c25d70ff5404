import Foundation
import JoistAPI
import JoistTesting

/// `joist-bench api`: B2 (control plane), B7 (reads under load) and TLS against the Unix socket,
/// over HTTP against a private joistd; printed as a table and written to `artifacts/bench-api.json`.
enum APIBench {
    static func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let count = Int(environment["JOIST_BENCH_API_N"] ?? "") ?? 1000
        let rounds = Int(environment["JOIST_BENCH_API_ROUNDS"] ?? "") ?? 3
        let guest = await locateGuest()
        let loadAtStart = loadAverage()
        let parent = environment["JOIST_BENCH_STATE_PARENT"] ?? "/tmp"
        try await DaemonHarness.with(listen: true, parent: parent, privateNetwork: false) { joist in
            guard let address = joist.httpsAddress else { throw BenchError("joistd serves no TLS listener") }
            let kernel = joist.stateDirectory + "/bench-kernel"
            guard FileManager.default.createFile(atPath: kernel, contents: Data("not a kernel\n".utf8)) else {
                throw BenchError("cannot create \(kernel)")
            }
            let unix = BenchClient.make(.unix(socketPath: joist.socketPath))
            let probe = BenchClient.make(.unix(socketPath: joist.socketPath))
            var clients = [unix, probe]
            do {
                let token = try await unix.send(
                    .POST, "/1.0/tokens", json: TokenCreate(name: "bench", role: .admin), expect: .created, as: TokenCreated.self)
                let tls = BenchClient.make(.tls(address: address), bearer: token.secret)
                let unixWithToken = BenchClient.make(.unix(socketPath: joist.socketPath), bearer: token.secret)
                clients += [tls, unixWithToken]

                let transport = try await TransportBench(unix: unixWithToken, tls: tls, rounds: rounds).run()
                let controlPlane = try await ControlPlaneBench(client: unix, kernel: kernel, count: count, rounds: rounds).run()
                var loads: [LoadBench.Result] = []
                for load in guest == nil ? [LoadBench.Load.churn] : [.guests, .churn] {
                    loads.append(
                        try await LoadBench(client: unix, probe: probe, kernel: kernel, load: load, guest: guest, rounds: rounds).run())
                }
                let logBytes = (try? FileManager.default.attributesOfItem(atPath: joist.stateDirectory + "/joistd.log")[.size] as? Int) ?? 0

                let tmpOneClient = parent == "/tmp" ? nil : try await oneClientInTmp(count: count, rounds: rounds)
                let report = APIReport(
                    stateParent: parent, controlPlane: controlPlane, tmpOneClient: tmpOneClient, loads: loads,
                    transport: transport, daemonLogBytes: logBytes, loadAverage: [loadAtStart, loadAverage()])
                print(report.table)
                try write(report)
            } catch {
                for client in clients { await client.shutdown() }
                throw error
            }
            for client in clients { await client.shutdown() }
        }
    }

    /// B2a's one-client side against a second daemon whose state is in /tmp (this machine's root file
    /// system), for comparison with the file system the main run used.
    static func oneClientInTmp(count: Int, rounds: Int) async throws -> ControlPlaneBench.Churn {
        var result: ControlPlaneBench.Churn?
        try await DaemonHarness.with(privateNetwork: false) { joist in
            let kernel = joist.stateDirectory + "/bench-kernel"
            guard FileManager.default.createFile(atPath: kernel, contents: Data("not a kernel\n".utf8)) else {
                throw BenchError("cannot create \(kernel)")
            }
            let client = BenchClient.make(.unix(socketPath: joist.socketPath))
            do {
                result = try await ControlPlaneBench(client: client, kernel: kernel, count: count, rounds: rounds).oneClientChurn()
            } catch {
                await client.shutdown()
                throw error
            }
            await client.shutdown()
        }
        guard let result else { throw BenchError("the /tmp run gave no result") }
        return result
    }

    /// The test guest, or nil (B7 then runs only its create/delete churn load).
    static func locateGuest() async -> TestGuest? {
        do {
            return try await TestGuest.locate()
        } catch {
            progress("no test guest (\(error)); B7 uses create/delete churn as its load")
            return nil
        }
    }

    /// `/proc/loadavg` as it reads: other work on the machine skews every number here.
    static func loadAverage() -> String {
        ((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func write(_ report: APIReport) throws {
        let directory = RepositoryPaths.root + "/artifacts"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        try encoder.encode(report).write(to: URL(fileURLWithPath: directory + "/bench-api.json"))
        print("JSON: \(directory)/bench-api.json")
    }
}
