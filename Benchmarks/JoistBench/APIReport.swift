import Foundation

/// The API benchmarks' results: headline numbers, the raw measurements behind them, and the table.
struct APIReport: Encodable {
    struct Headline: Encodable {
        var createsPerSecondOneClient: Double
        var emptyRequestsPerSecondOneClient: Double
        var deletesPerSecondOneClient: Double
        var createsPerSecondConcurrent: Double
        var deletesPerSecondConcurrent: Double
        var list10kP50: Double
        var list10kP99: Double
        var list1kP50: Double
        /// B7 with the first load run (`guests` when the test guest exists).
        var getUnderLoadP50: Double
        var getUnderLoadP99: Double
        var getIdleP50: Double
        var getIdleP99: Double
        var runningOperationsMedian: Double
        var tlsRequestsPerSecond: Double
        var unixRequestsPerSecond: Double
        var tlsToUnixRatio: Double
    }

    let headline: Headline
    /// The folder the daemon's state directory was made in (its file system decides B2a's rate).
    let stateParent: String
    let controlPlane: ControlPlaneBench.Result
    /// B2a with one client again, with the state directory in /tmp, when `stateParent` is elsewhere.
    let tmpOneClient: ControlPlaneBench.Churn?
    let loads: [LoadBench.Result]
    let transport: TransportBench.Result
    /// Bytes joistd logged during the run (the harness runs it with `--log-level debug`).
    let daemonLogBytes: Int
    /// `/proc/loadavg` before and after the run.
    let loadAverage: [String]

    init(
        stateParent: String, controlPlane: ControlPlaneBench.Result, tmpOneClient: ControlPlaneBench.Churn?,
        loads: [LoadBench.Result], transport: TransportBench.Result, daemonLogBytes: Int, loadAverage: [String]
    ) {
        self.stateParent = stateParent
        self.tmpOneClient = tmpOneClient
        self.loadAverage = loadAverage
        self.controlPlane = controlPlane
        self.loads = loads
        self.transport = transport
        self.daemonLogBytes = daemonLogBytes
        let small = controlPlane.lists.first { $0.instances == 1_000 }
        let large = controlPlane.lists.first { $0.instances == 10_000 }
        let load = loads.first
        headline = Headline(
            createsPerSecondOneClient: controlPlane.oneClient.medianCreatesPerSecond,
            emptyRequestsPerSecondOneClient: JoistBench.median(controlPlane.emptyRequestsPerSecond),
            deletesPerSecondOneClient: controlPlane.oneClient.medianDeletesPerSecond,
            createsPerSecondConcurrent: controlPlane.concurrent.medianCreatesPerSecond,
            deletesPerSecondConcurrent: controlPlane.concurrent.medianDeletesPerSecond,
            list10kP50: large?.p50 ?? .nan, list10kP99: large?.p99 ?? .nan, list1kP50: small?.p50 ?? .nan,
            getUnderLoadP50: load?.loaded.p50 ?? .nan, getUnderLoadP99: load?.loaded.p99 ?? .nan,
            getIdleP50: load?.idle.p50 ?? .nan, getIdleP99: load?.idle.p99 ?? .nan,
            runningOperationsMedian: JoistBench.median(load?.runningObserved.map(Double.init) ?? []),
            tlsRequestsPerSecond: transport.medianTLS, unixRequestsPerSecond: transport.medianUnix,
            tlsToUnixRatio: transport.medianTLS / transport.medianUnix)
    }

    var table: String {
        let h = headline
        let cp = controlPlane
        let rounds = cp.oneClient.createsPerSecond.count
        let clients = cp.concurrent.clients
        let rows = [
            "| benchmark | joist | compared with | ratio | target |",
            "|---|---|---|---|---|",
            "| B2a creates/s, 1 client (N=\(cp.count), median of \(rounds)) | \(rate(h.createsPerSecondOneClient)) | `GET /1.0`, 1 client \(rate(h.emptyRequestsPerSecondOneClient)) | \(ratio(h.createsPerSecondOneClient / h.emptyRequestsPerSecondOneClient)) | ≥ 1,000/s |",
            "| B2a deletes/s (DELETE + operation wait), 1 client | \(rate(h.deletesPerSecondOneClient)) | | | |",
        ] + (tmpOneClient.map { tmp in
            [
                "| B2a creates/s, 1 client, state in /tmp instead of \(stateParent) (median of \(tmp.createsPerSecond.count)) | \(rate(tmp.medianCreatesPerSecond)) | \(stateParent) \(rate(h.createsPerSecondOneClient)) | \(ratio(tmp.medianCreatesPerSecond / h.createsPerSecondOneClient)) | |"
            ]
        } ?? []) + [
            "| B2a creates/s, \(clients) clients | \(rate(h.createsPerSecondConcurrent)) | 1 client \(rate(h.createsPerSecondOneClient)) | \(ratio(h.createsPerSecondConcurrent / h.createsPerSecondOneClient)) | |",
            "| B2a deletes/s, \(clients) clients | \(rate(h.deletesPerSecondConcurrent)) | 1 client \(rate(h.deletesPerSecondOneClient)) | \(ratio(h.deletesPerSecondConcurrent / h.deletesPerSecondOneClient)) | |",
            "| B2b `GET /1.0/instances?limit=10000`, 10,000 defined (\(ControlPlaneBench.listRequests) requests) | p50 \(millis(h.list10kP50)) ms, p99 \(millis(h.list10kP99)) ms | 1,000 defined: p50 \(millis(h.list1kP50)) ms | \(ratio(h.list10kP50 / h.list1kP50)) | ≤ 50 ms p50 |",
            "| B2b defining / deleting the 10,000 (\(ControlPlaneBench.setupClients) clients) | \(rate(cp.bulkCreatesPerSecond)) creates, \(rate(cp.bulkDeletesPerSecond)) deletes | | | |",
        ] + loads.flatMap(loadRows) + [
            "| TLS vs Unix: `GET /1.0` with a token, \(transport.clients) clients (median of \(transport.tlsRequestsPerSecond.count) × \(String(format: "%.0f", transport.secondsPerRound)) s) | TLS \(rate(h.tlsRequestsPerSecond)) | Unix \(rate(h.unixRequestsPerSecond)) | \(ratio(h.tlsToUnixRatio)) | |",
        ]
        return rows.joined(separator: "\n")
    }

    /// B7's two rows for one load: the probe's latencies, then what the load did.
    private func loadRows(_ load: LoadBench.Result) -> [String] {
        let name = load.load == .guests ? "10 test guests started and force-stopped in a loop" : "10 clients creating and deleting stopped instances"
        let running = load.runningObserved
        let median = JoistBench.median(running.map(Double.init))
        return [
            "| B7 `GET /1.0/instances/NAME`, load: \(load.load.rawValue) (\(load.loaded.requests) requests) | p50 \(millis(load.loaded.p50)) ms, p99 \(millis(load.loaded.p99)) ms | idle: p50 \(millis(load.idle.p50)) ms, p99 \(millis(load.idle.p99)) ms | \(ratio(load.loaded.p99 / load.idle.p99)) (p99) | ≤ 20 ms p99 |",
            "| B7 load \(load.load.rawValue): \(name) | running operations seen: median \(String(format: "%.0f", median)) (\(running.min() ?? 0)–\(running.max() ?? 0), \(running.count) samples); \(rate(load.operationsPerSecond)) operations done | | | 10 running |",
        ]
    }

    private func rate(_ value: Double) -> String { value.isFinite ? "\(Int(value.rounded()))/s" : "-" }
    private func ratio(_ value: Double) -> String { value.isFinite ? String(format: "%.2f", value) : "-" }
}
