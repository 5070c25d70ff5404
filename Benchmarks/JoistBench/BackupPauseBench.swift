import Foundation
import JoistAPI
import JoistTesting

/// How long a running guest's disk writes wait while its backup takes the point-in-time view: the
/// QMP `transaction` that starts the backup jobs and switches the change records, and the filesystem
/// freeze around it (the same span when the guest has no agent, as the test guest has not), as joistd
/// logs them. The test guest under TCG with a 64 MiB volume, backed up `count` times into the
/// default store (full, then incremental).
enum BackupPauseBench {
    struct Result: Codable {
        var transactionMilliseconds: [Double]
        var frozenMilliseconds: [Double]
        /// Each whole backup, request to operation end.
        var backupSeconds: [Double]
    }

    static func run(joist: DaemonHarness, client: BenchClient, guest: TestGuest, count: Int) async throws -> Result {
        progress("B5: point-in-time step of a running guest")
        try await HostTools.cli(joist, ["volume", "create", "default", "live", "--size", "64MiB"])
        try await joist.createGuest("live", guest: guest, extra: ["--disk", "default/live"])
        try await HostTools.cli(joist, ["start", "live"])
        guard try await joist.waitForConsole("live", containing: TestGuest.readyMarker) else {
            throw BenchError("the test guest did not boot: \(joist.daemonLog().suffix(2000))")
        }
        // Only this guest's backups: the log holds the stopped instances' points in time before them.
        let logBefore = joist.daemonLog().count
        var seconds: [Double] = []
        for _ in 0..<count {
            seconds.append(try await timed {
                _ = try await client.finish(
                    try await client.send(
                        .POST, "/1.0/instances/live/backups", json: InstanceBackupCreate(), expect: .accepted, as: JoistAPI.Operation.self),
                    context: "backup of the running guest")
            })
        }
        try await client.deleteInstance("live", force: true)
        let log = String(joist.daemonLog().dropFirst(logBefore))
        return Result(
            transactionMilliseconds: values(of: "transactionMs", in: log), frozenMilliseconds: values(of: "frozenMs", in: log),
            backupSeconds: seconds)
    }

    /// Every `key=NUMBER` in joistd's log, in order.
    static func values(of key: String, in log: String) -> [Double] {
        log.split(separator: "\n").compactMap { line in
            guard let range = line.range(of: key + "=") else { return nil }
            return Double(line[range.upperBound...].prefix { $0.isNumber || $0 == "." })
        }
    }
}
