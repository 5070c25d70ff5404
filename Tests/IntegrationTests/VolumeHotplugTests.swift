import Foundation
import JoistTestTraits
import JoistTesting
import Testing

/// Volumes as the disks of a real test guest under TCG, through joistd and the joist CLI: boot from a
/// configuration naming a volume, hot-plug another, grow it online, unplug it.
@Suite("Volumes in a running guest (real QEMU)", .bootsGuests(2), .serialized, .timeLimit(.minutes(15)))
struct VolumeHotplugTests {
    @Test("the guest sees its volume, a hot-plugged one, its online growth and its clean removal; in-use volumes stay")
    func hotplugResizeDetach() async throws {
        let guest = try await TestGuest.locate()
        try await DaemonHarness.with { joist in
            try await joist.succeed(["volume", "create", "default", "boot-data", "--size", "64MiB"])
            try await joist.succeed(["volume", "create", "default", "extra", "--size", "32MiB"])
            try await joist.createGuest("vm1", guest: guest, extra: ["--disk", "default/boot-data"])
            try await joist.createGuest("vm2", guest: guest)
            let taken = try await joist.cli(["volume", "attach", "vm2", "default/boot-data"])
            #expect(taken.stderr.contains("volume default/boot-data is used by instance vm1"), "\(taken)")
            #expect(try await joist.cli(["volume", "delete", "default", "boot-data"]).stderr.contains("used by instance vm1"))

            try await joist.succeed(["start", "vm1"])
            let console = try ConsoleProcess(harness: joist, instance: "vm1")
            defer { Task { await console.close() } }
            #expect(try await joist.waitForConsole("vm1", containing: TestGuest.readyMarker), "\(joist.daemonLog())")
            // Sizes are in 512-byte sectors; the markers around them never appear in the echoed command.
            console.send("echo A$(cat /sys/block/vda/size)Z\n")
            #expect(await console.waitFor("A131072Z"), "\(console.output)")
            let torn = try await joist.cli(["volume", "clone", "default", "boot-data", "copy"])
            #expect(torn.stderr.contains("while instance vm1 runs with it"), "\(torn)")

            try await joist.succeed(["volume", "attach", "vm1", "default/extra"])
            console.send("echo B$(cat /sys/block/vdb/size)Z\n")
            #expect(await console.waitFor("B65536Z"), "\(console.output)")
            #expect(try await Self.volume(joist, "extra")["usedBy"] as? [String] == ["vm1"])

            try await joist.succeed(["volume", "resize", "default", "extra", "64MiB"])
            console.send("echo C$(cat /sys/block/vdb/size)Z\n")
            #expect(await console.waitFor("C131072Z"), "\(console.output)")
            #expect(try await Self.volume(joist, "extra")["size"] as? String == "64MiB")

            try await joist.succeed(["volume", "detach", "vm1", "default/extra"])
            console.send("ls /sys/block/vdb 2>/dev/null || echo gone$((2+3))\n")
            #expect(await console.waitFor("gone5"), "\(console.output)")
            let disks = try #require((try await joist.info("vm1")["config"] as? [String: Any])?["disks"] as? [[String: Any]])
            #expect(disks.count == 1)
            try await joist.succeed(["volume", "delete", "default", "extra"])

            // A restarted daemon knows again which instance uses which volume.
            await joist.killDaemon()
            try await joist.start()
            #expect(try await joist.cli(["volume", "delete", "default", "boot-data"]).stderr.contains("used by instance vm1"))
            try await joist.succeed(["delete", "vm1", "--force"])
            try await joist.succeed(["volume", "delete", "default", "boot-data"])
        }
    }

    private static func volume(_ joist: DaemonHarness, _ name: String) async throws -> [String: Any] {
        try await joist.json(["volume", "info", "default", name, "--format", "json"])
    }
}
