import Foundation
import JoistTestTraits
import JoistTesting
import Testing

/// Metrics of a real TCG guest with a disk and a tap NIC, sampled every second by a real joistd.
@Suite("Instance metrics (real QEMU)", .bootsGuests(1), .serialized, .timeLimit(.minutes(15)))
struct MetricsTests {
    @Test("samples while it runs: CPU, memory, disk reads typed on its console, network from its DHCP request; kept while stopped, dropped with the instance")
    func guestSamples() async throws {
        let guest = try await TestGuest.locate()
        try await DaemonHarness.with(arguments: ["--metrics-interval", "1"]) { joist in
            try await joist.succeed(["network", "create", "lan", "--type", "nat", "--subnet", "10.78.0.0/24"])
            try await joist.succeed(["volume", "create", "default", "data", "--size", "32MiB"])
            try await joist.createGuest("vm1", guest: guest, extra: ["--disk", "default/data", "--nic", "network=lan"])
            let before = try await joist.json(["metrics", "vm1", "--last", "0", "--format", "json"])
            #expect(before["intervalSeconds"] as? Double == 1)
            #expect(Self.samples(before).isEmpty, "never started: no samples")

            let console = try await joist.startWithConsole("vm1")
            defer { Task { await console.close() } }
            let booted = try await joist.waitForSample("vm1", "a sample with CPU and memory") { sample in
                (sample["cpuPercent"] as? Double ?? 0) > 0 && (sample["memoryBytes"] as? Double ?? 0) > Double(16 << 20)
            }
            let bootedAt = try #require(booted["time"] as? String)

            // Once the disk is quiet, the guest reads 16 MiB of it; a later sample shows the reads.
            let quiet = try await joist.waitForSample("vm1", "a sample without disk reads", since: bootedAt) { sample in
                sample["diskReadBytesPerSecond"] as? Double == 0
            }
            let quietAt = try #require(quiet["time"] as? String)
            console.send("dd if=/dev/vda of=/dev/null bs=1M count=16 2>/dev/null; echo R$((40+2))\n")
            #expect(await console.waitFor("R42"), "\(console.output)")
            let read = try await joist.waitForSample("vm1", "a sample with disk reads", since: quietAt) { sample in
                (sample["diskReadBytesPerSecond"] as? Double ?? 0) > 0
            }
            #expect(read["time"] as? String ?? "" > quietAt)

            // Its DHCP request leaves through the tap: the guest transmitted, as the guest sees it.
            #expect(await console.lease() != nil, "\(console.output)\n\(joist.daemonLog())")
            _ = try await joist.waitForSample("vm1", "a sample with network transmit", since: quietAt) { sample in
                (sample["networkTransmitBytesPerSecond"] as? Double ?? 0) > 0
            }

            let later = try await joist.json(["metrics", "vm1", "--last", "0", "--since", bootedAt, "--format", "json"])
            #expect(Self.samples(later).allSatisfy { ($0["time"] as? String ?? "") > bootedAt }, "since: later samples only")
            #expect(Self.samples(later).allSatisfy { sample in sample.allSatisfy { $0.key == "time" || ($0.value as? Double ?? 0) >= 0 } }, "no negative figures")
            #expect(Self.samples(later).allSatisfy { $0.count == 7 }, "unknown figures are null, not left out")
            let csv = try await joist.succeed(["metrics", "vm1", "--format", "csv"])
            #expect(csv.hasPrefix("time,cpuPercent,memoryBytes,"), "\(csv)")
            #expect(try await joist.succeed(["metrics", "vm1"]).contains("DISK-READ"))

            try await joist.succeed(["stop", "vm1", "--force"])
            #expect(try await joist.waitForState("vm1", "stopped"))
            let stopped = Self.samples(try await joist.json(["metrics", "vm1", "--last", "0", "--format", "json"])).count
            #expect(stopped > 0, "a stopped instance answers its history")

            try await joist.succeed(["delete", "vm1", "--force"])
            let gone = try await joist.cli(["metrics", "vm1"])
            #expect(!gone.succeeded && gone.stderr.contains("not found"), "\(gone)")
            try await joist.createGuest("vm1", guest: guest)
            let again = try await joist.json(["metrics", "vm1", "--last", "0", "--format", "json"])
            #expect(Self.samples(again).isEmpty, "a new instance of the same name starts without the old history")
        }
    }

    static func samples(_ metrics: [String: Any]) -> [[String: Any]] {
        metrics["samples"] as? [[String: Any]] ?? []
    }
}

/// The host's figures from a real joistd, against what this host says.
@Suite("Host resources (real daemon)", .serialized, .timeLimit(.minutes(5)))
struct HostResourcesTests {
    @Test("/1.0/resources: memory total as /proc/meminfo says, CPUs as nproc counts them, the default pool with its file system, CPU use after two samples")
    func resources() async throws {
        try await DaemonHarness.with(arguments: ["--metrics-interval", "1"]) { joist in
            let meminfo = try String(contentsOfFile: "/proc/meminfo", encoding: .utf8)
            let totalKiB = try #require(meminfo.split(separator: "\n").first { $0.hasPrefix("MemTotal:") }?.split(separator: " ").dropFirst().first)
            let nproc = try await CommandRunner.run("/usr/bin/nproc", [])

            var resources = try await joist.json(["resources", "--format", "json"])
            let memory = try #require(resources["memory"] as? [String: Any])
            #expect(memory["totalBytes"] as? Double == Double(try #require(UInt64(totalKiB))) * 1024)
            let available = try #require(memory["availableBytes"] as? Double), used = try #require(memory["usedBytes"] as? Double)
            #expect(available > 0 && used > 0 && available + used == memory["totalBytes"] as? Double)
            let cpu = try #require(resources["cpu"] as? [String: Any])
            #expect(cpu["count"] as? Double == Double(nproc.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
            #expect(cpu.keys.contains("usagePercent"), "present, null until two samples: \(cpu)")
            #expect(((cpu["loadAverage"] as? [String: Any])?["one"] as? Double ?? -1) >= 0)
            #expect((resources["uptimeSeconds"] as? Double ?? 0) > 0)

            let pools = try #require(resources["storagePools"] as? [[String: Any]])
            let pool = try #require(pools.first { $0["name"] as? String == "default" }, "\(pools)")
            var fs = statvfs()
            try #require(statvfs(joist.stateDirectory + "/storage/default", &fs) == 0)
            #expect(pool["totalBytes"] as? Double == Double(UInt64(fs.f_blocks) * UInt64(fs.f_frsize)))
            let poolUsed = try #require(pool["usedBytes"] as? Double), poolAvailable = try #require(pool["availableBytes"] as? Double)
            #expect(poolUsed > 0 && poolAvailable > 0 && poolUsed + poolAvailable <= pool["totalBytes"] as? Double ?? 0)

            // Two samples a second apart give the host's CPU use.
            let deadline = ContinuousClock.now + .seconds(30)
            while (resources["cpu"] as? [String: Any])?["usagePercent"] as? Double == nil, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(200))
                resources = try await joist.json(["resources", "--format", "json"])
            }
            let usage = try #require((resources["cpu"] as? [String: Any])?["usagePercent"] as? Double, "\(resources)")
            #expect(usage >= 0 && usage <= 100)
            let table = try await joist.succeed(["resources"])
            #expect(table.contains("CPUs:") && table.contains("default"), "\(table)")
        }
    }
}

extension DaemonHarness {
    /// Polls the instance's metrics until a sample (after `since`) satisfies `condition`; the test
    /// stops when none does within a minute.
    func waitForSample(
        _ name: String, _ what: String, since: String? = nil, _ condition: ([String: Any]) -> Bool
    ) async throws -> [String: Any] {
        let deadline = ContinuousClock.now + .seconds(60)
        var last: [[String: Any]] = []
        while ContinuousClock.now < deadline {
            let metrics = try await json(["metrics", name, "--last", "0", "--format", "json"] + (since.map { ["--since", $0] } ?? []))
            last = MetricsTests.samples(metrics)
            if let found = last.first(where: condition) { return found }
            try await Task.sleep(for: .milliseconds(500))
        }
        Issue.record("no \(what) within a minute: \(last.suffix(5))")
        throw TestSetupError("no \(what)")
    }
}
