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
        // Follow only what is appended, cheaply: re-reading the whole log every poll would steal
        // CPU from the booting guest on a small machine and bias the measurement.
        let file = try FileHandle(forReadingFrom: URL(fileURLWithPath: log))
        defer { try? file.close() }
        try file.seek(toOffset: UInt64(offset))
        var seen = ""
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            if let data = try file.readToEnd(), !data.isEmpty {
                seen += String(decoding: data, as: UTF8.self)
                if seen.contains(TestGuest.readyMarker) {
                    let elapsed = ContinuousClock.now - start
                    _ = try await joist.cli(["stop", "--force", name])
                    return elapsed.seconds
                }
            }
            try await Task.sleep(for: .milliseconds(2))
        }
        throw TestSetupError("no marker from \(name)")
    }

    /// joistd's resident memory in KiB: all of it, and the anonymous (private heap and stacks) part.
    func daemonRSS() throws -> (total: Int, anonymous: Int) {
        guard let pid = joist.daemonPID,
            let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        else { throw TestSetupError("cannot read joistd's status") }
        func field(_ name: String) -> Int? {
            status.split(separator: "\n").first(where: { $0.hasPrefix(name + ":") })
                .flatMap { Int($0.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") }
        }
        guard let total = field("VmRSS"), let anonymous = field("RssAnon") else {
            throw TestSetupError("no VmRSS/RssAnon in /proc/\(pid)/status")
        }
        return (total, anonymous)
    }
}
