import Foundation
import JoistTestTraits
import JoistTesting
import QEMUDriver
import Testing

/// Boots the real test guest under TCG through joistd and the joist CLI.
@Suite("Guest lifecycle (real QEMU)", .bootsGuests, .serialized, .timeLimit(.minutes(15)))
struct GuestLifecycleTests {
    @Test("start → marker on the console → type into it → guest poweroff → stopped on its own")
    func bootTypePoweroff() async throws {
        let guest = try await TestGuest.locate()
        try await DaemonHarness.with { joist in
            try await joist.createGuest("vm1", guest: guest)
            #expect(try await joist.state("vm1") == "stopped")
            // Every instance has a recovery file with its full config beside its runtime files.
            let recoveryFile = joist.stateDirectory + "/instances/vm1.json"
            #expect(await eventually { FileManager.default.fileExists(atPath: recoveryFile) })
            let recovery = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: recoveryFile))) as? [String: Any]
            let config = recovery?["spec"] as? [String: Any]
            #expect(config?["name"] as? String == "vm1", "\(String(describing: recovery))")
            #expect(config?["kernel"] as? String == guest.kernel, "\(String(describing: recovery))")

            let start = try await joist.cli(["start", "vm1"])
            #expect(start.succeeded, "\(start)")
            let info = try await joist.info("vm1")
            #expect(info["state"] as? String == "running")
            #expect(info["accelerator"] as? String == "tcg")
            let pid = try #require(info["pid"] as? Int)
            #expect(kill(pid_t(pid), 0) == 0)
            // QEMU runs in the instance's CPU group, under the daemon's group of guests.
            let cgroups = try #require(try GuestCgroups.make(
                daemonID: GuestCgroups.daemonID(stateDirectory: joist.stateDirectory), weight: 100))
            #expect(cgroups.processes(instance: "vm1").contains(Int32(pid)), "groups: \(cgroupLines(pid))")

            let console = try ConsoleProcess(harness: joist, instance: "vm1")
            let watcher = try ConsoleProcess(harness: joist, instance: "vm1")
            #expect(try await joist.waitForConsole("vm1", containing: TestGuest.readyMarker), "console log: \(joist.daemonLog())")
            console.send("echo $((6*7))-joist\n")
            #expect(await console.waitFor("42-joist"), "console output: \(console.output)")
            // A second client attached at the same time sees the same output.
            #expect(await watcher.waitFor("42-joist"), "second console: \(watcher.output)")

            console.send("poweroff\n")
            #expect(try await joist.waitForState("vm1", "stopped"))
            // The daemon closes the console when QEMU exits, so the client ends by itself.
            #expect(await console.waitForExit() == 0, "console output: \(console.output)")
            #expect(await watcher.waitForExit() == 0, "second console: \(watcher.output)")
            let after = try await joist.info("vm1")
            #expect(after["pid"] == nil)
            #expect(await eventually { !FileManager.default.fileExists(atPath: cgroups.group(for: "vm1")) })
            #expect((after["lastExit"] as? [String: Any])?["reason"] as? String == "guest powered off")
            // The history survives the guest and includes what was typed.
            #expect(try await joist.cli(["console", "vm1", "--log"]).stdout.contains("42-joist"))
        }
    }

    @Test("stop asks the guest through ACPI and it powers off gracefully")
    func gracefulStop() async throws {
        let guest = try await TestGuest.locate()
        try await DaemonHarness.with { joist in
            try await joist.createGuest("vm2", guest: guest)
            #expect(try await joist.cli(["start", "vm2"]).succeeded)
            #expect(try await joist.waitForConsole("vm2", containing: TestGuest.readyMarker))

            let stop = try await joist.cli(["stop", "vm2", "--timeout", "30"])
            #expect(stop.succeeded, "\(stop)")
            let info = try await joist.info("vm2")
            #expect(info["state"] as? String == "stopped")
            // The test guest has no /sbin/shutdown, so its agent refuses guest-shutdown and ACPI ends it.
            #expect((info["lastExit"] as? [String: Any])?["reason"] as? String == "stopped (ACPI power-down)")
            // The power-down reached the guest's acpid, which logged its power-off on the console.
            #expect(try await joist.cli(["console", "vm2", "--log"]).stdout.contains("JOIST-GUEST-POWEROFF"))
        }
    }

    @Test("pause, resume, forced stop, restart and delete")
    func pauseResumeForceRestart() async throws {
        let guest = try await TestGuest.locate()
        try await DaemonHarness.with { joist in
            try await joist.createGuest("vm3", guest: guest)
            #expect(try await joist.cli(["start", "vm3"]).succeeded)
            #expect(try await joist.waitForConsole("vm3", containing: TestGuest.readyMarker))
            let firstPID = try await joist.info("vm3")["pid"] as? Int

            #expect(try await joist.cli(["pause", "vm3"]).succeeded)
            #expect(try await joist.state("vm3") == "paused")
            #expect(try await joist.cli(["pause", "vm3"]).stderr.contains("instance vm3 is already paused"))
            #expect(try await joist.cli(["resume", "vm3"]).succeeded)
            #expect(try await joist.state("vm3") == "running")

            let restart = try await joist.cli(["restart", "vm3", "--force"])
            #expect(restart.succeeded, "\(restart)")
            let restarted = try await joist.info("vm3")
            #expect(restarted["state"] as? String == "running")
            #expect(restarted["pid"] as? Int != firstPID)

            let refused = try await joist.cli(["delete", "vm3"])
            #expect(!refused.succeeded)
            #expect(refused.stderr.contains("stop it first or delete with --force"))
            let pid = try #require(restarted["pid"] as? Int)
            #expect(try await joist.cli(["stop", "vm3", "--force"]).succeeded)
            #expect(try await joist.state("vm3") == "stopped")
            #expect(kill(pid_t(pid), 0) != 0 || isZombie(pid))
            #expect(try await joist.cli(["delete", "vm3"]).succeeded)
            #expect(!(try await joist.cli(["list", "--format", "csv"]).stdout.contains("vm3")))
            #expect(!FileManager.default.fileExists(atPath: joist.stateDirectory + "/instances/vm3"))
        }
    }

    @Test("concurrent starts launch exactly one QEMU; the other start is refused")
    func concurrentStarts() async throws {
        let guest = try await TestGuest.locate()
        try await DaemonHarness.with { joist in
            try await joist.createGuest("vm4", guest: guest)
            async let a = joist.cli(["start", "vm4"])
            async let b = joist.cli(["start", "vm4"])
            let results = try await [a, b]
            #expect(results.filter(\.succeeded).count == 1, "\(results)")
            #expect(results.contains { $0.stderr.contains("instance vm4 is already running") })
            let qemus = try await CommandRunner.run("/usr/bin/pgrep", ["-f", "guest=vm4,"])
            #expect(qemus.stdout.split(separator: "\n").count == 1, "\(qemus)")
            #expect(try await joist.cli(["delete", "--force", "vm4"]).succeeded)
        }
    }
}

/// Whether `pid` is a zombie awaiting its reaper (init may reap a daemonized QEMU late).
func isZombie(_ pid: Int) -> Bool {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
        let close = stat.lastIndex(of: ")")
    else { return false }
    return stat[stat.index(after: close)...].split(separator: " ").first == "Z"
}

/// `/proc/PID/cgroup`, for failure messages.
func cgroupLines(_ pid: Int) -> String {
    (try? String(contentsOfFile: "/proc/\(pid)/cgroup", encoding: .utf8)) ?? "(unreadable)"
}
