import Foundation
import JoistTestTraits
import JoistTesting
import Testing

/// Guests outlive joistd; a new daemon re-attaches to them.
@Suite("Daemon restart (real QEMU)", .bootsGuests(3), .serialized, .timeLimit(.minutes(15)))
struct DaemonRestartTests {
    @Test("kill -9 of joistd with 3 running guests: all still running, same pids, and controllable after restart")
    func killNineAndReattach() async throws {
        let guest = try await TestGuest.locate()
        try await DaemonHarness.with { joist in
            let names = ["r1", "r2", "r3"]
            for name in names {
                try await joist.createGuest(name, guest: guest)
                #expect(try await joist.cli(["start", name]).succeeded)
            }
            var pids: [String: Int] = [:]
            for name in names {
                #expect(try await joist.waitForConsole(name, containing: TestGuest.readyMarker))
                pids[name] = try await joist.info(name)["pid"] as? Int
            }

            await joist.killDaemon()
            for name in names {
                let pid = try #require(pids[name])
                #expect(kill(pid_t(pid), 0) == 0, "QEMU of \(name) must survive the daemon")
            }
            try await joist.start()

            for name in names {
                let info = try await joist.info(name)
                #expect(info["state"] as? String == "running", "\(name): \(info)")
                #expect(info["pid"] as? Int == pids[name])
            }
            // The console works after re-attaching.
            let console = try ConsoleProcess(harness: joist, instance: "r1")
            console.send("echo reattached-$((40+2))\n")
            #expect(await console.waitFor("reattached-42"), "console output: \(console.output)")
            await console.close()
            // Stop and delete work on re-attached guests.
            #expect(try await joist.cli(["stop", "r1", "--timeout", "30"]).succeeded)
            #expect(try await joist.state("r1") == "stopped")
            #expect(try await joist.cli(["delete", "--force", "r2"]).succeeded)
            #expect(try await joist.cli(["pause", "r3"]).succeeded)
            #expect(try await joist.state("r3") == "paused")
            #expect(try await joist.cli(["delete", "--force", "r3"]).succeeded)
        }
    }

    @Test("a guest that died while the daemon was away is shown stopped with its exit recorded")
    func diedWhileAway() async throws {
        let guest = try await TestGuest.locate()
        try await DaemonHarness.with { joist in
            try await joist.createGuest("gone", guest: guest)
            #expect(try await joist.cli(["start", "gone"]).succeeded)
            let pid = try #require(try await joist.info("gone")["pid"] as? Int)

            await joist.killDaemon()
            kill(pid_t(pid), SIGKILL)
            try await Task.sleep(for: .milliseconds(200))
            try await joist.start()

            let info = try await joist.info("gone")
            #expect(info["state"] as? String == "stopped")
            #expect(info["pid"] == nil)
            let reason = (info["lastExit"] as? [String: Any])?["reason"] as? String ?? ""
            #expect(reason.hasPrefix("QEMU exited while joistd was not running"), "\(reason)")
            // It starts again normally.
            #expect(try await joist.cli(["start", "gone"]).succeeded)
            #expect(try await joist.cli(["delete", "--force", "gone"]).succeeded)
        }
    }
}
