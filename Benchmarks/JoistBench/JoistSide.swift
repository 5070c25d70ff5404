import Foundation
import JoistTesting

/// The measured side: `joist start` against a private joistd, until the marker is in the console history.
struct JoistSide {
    let joist: DaemonHarness
    let guest: TestGuest

    func prepare(_ name: String) async throws {
        try await joist.createGuest(name, guest: guest)
    }

    /// Seconds from running `joist start` to the marker in the console history joistd writes.
    func bootToMarker(_ name: String) async throws -> Double {
        let log = joist.stateDirectory + "/instances/\(name)/console.log"
        let offset = (try? FileManager.default.attributesOfItem(atPath: log)[.size] as? Int) ?? 0
        let start = ContinuousClock.now
        let result = try await joist.cli(["start", name])
        guard result.succeeded else { throw TestSetupError("joist start failed: \(result)") }
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            if let data = FileManager.default.contents(atPath: log), data.count > offset,
                String(decoding: data.dropFirst(offset), as: UTF8.self).contains(TestGuest.readyMarker)
            {
                let elapsed = ContinuousClock.now - start
                _ = try await joist.cli(["stop", "--force", name])
                return elapsed.seconds
            }
            try await Task.sleep(for: .milliseconds(2))
        }
        throw TestSetupError("no marker from \(name)")
    }

    /// joistd's resident memory in KiB.
    func daemonRSS() throws -> Int {
        guard let pid = joist.daemonPID,
            let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
            let kib = Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
        else { throw TestSetupError("cannot read joistd's RSS") }
        return kib
    }
}
