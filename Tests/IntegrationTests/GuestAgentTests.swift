import Foundation
import GuestAgent
import JoistTesting
import JoistTestTraits
import Logging
import Testing

/// The test guest runs Debian's qemu-ga on the port every Joist guest gets (TCG): its filesystems are
/// frozen while a disk snapshot or a backup captures the disks, and thawed right after; with the
/// agent gone, both go on unfrozen and say so.
@Suite("Guest agent in a running test guest (real QEMU and qemu-ga)", .bootsGuests(1), .serialized, .timeLimit(.minutes(15)))
struct GuestAgentTests {
    @Test("the agent answers on the guest's socket; a disk snapshot and a backup freeze an ext2 filesystem and thaw it; without the agent they record unfrozen")
    func freezeAroundCaptures() async throws {
        let guest = try await TestGuest.locate()
        try await DaemonHarness.with { joist in
            try await joist.succeed(["volume", "create", "default", "data", "--size", "64MiB"])
            try await joist.createGuest("vm5", guest: guest, extra: ["--disk", "default/data"])
            try await joist.succeed(["start", "vm5"])
            let console = try ConsoleProcess(harness: joist, instance: "vm5")
            defer { Task { await console.close() } }
            #expect(try await joist.waitForConsole("vm5", containing: TestGuest.readyMarker), "\(joist.daemonLog())")
            // A filesystem the agent can freeze (the initramfs's own cannot be).
            console.send("mke2fs -q /dev/vda && mkdir -p /mnt/d && mount /dev/vda /mnt/d && echo one >/mnt/d/f && echo M$((40+2))\n")
            #expect(await console.waitFor("M42"), "\(console.output)")

            // The agent answers on the socket QEMU made in the instance's runtime folder.
            let agentSocket = joist.stateDirectory + "/instances/vm5/agent.sock"
            let agent = try await GuestAgentClient.connect(path: agentSocket, syncTimeout: .seconds(30), logger: Logger(label: "test"))
            let info = try await agent.info()
            #expect(info.enabledCommands.contains("guest-fsfreeze-freeze"), "\(info)")
            #expect(try await agent.osInfo().kernelRelease?.hasSuffix("cloud-amd64") == true)
            await agent.close()

            try await joist.succeed(["snapshot", "create", "vm5", "s1"])
            let snapshots = try await Self.jsonList(joist, ["snapshot", "list", "vm5", "--format", "json"])
            let snapshotFreeze = try #require(snapshots.first?["filesystemFreeze"] as? [String: Any], "\(snapshots)\n\(joist.daemonLog())")
            #expect(snapshotFreeze["frozen"] as? Bool == true && snapshotFreeze["filesystems"] as? Int == 1, "\(snapshotFreeze)")

            let created = try await joist.succeed(["backup", "create", "vm5"])
            #expect(created.contains("as full backup"), "\(created)")
            // Thawed: a write in the guest goes through (it would block while frozen).
            console.send("echo two >/mnt/d/g && sync && echo M$((40+3))\n")
            #expect(await console.waitFor("M43"), "\(console.output)")
            console.send("echo L$(grep -c 'guest-fsfreeze called' /var/log/messages)Z\n")
            #expect(await console.waitFor("L2Z"), "qemu-ga logs one freeze per capture\n\(console.output)")

            // Without the agent the backup does not wait for it: QEMU says the guest closed the port,
            // so the backup goes on unfrozen at once, with the reason.
            console.send("killall qemu-ga && echo M$((40+4))\n")
            #expect(await console.waitFor("M44"), "\(console.output)")
            try await joist.succeed(["backup", "create", "vm5"])

            let backups = try await Self.jsonList(joist, ["backup", "list", "vm5", "--format", "json"])
            try #require(backups.count == 2, "\(backups)")
            let frozen = try #require(backups[0]["filesystemFreeze"] as? [String: Any], "\(backups[0])")
            #expect(frozen["frozen"] as? Bool == true && frozen["filesystems"] as? Int == 1, "\(frozen)")
            let unfrozen = try #require(backups[1]["filesystemFreeze"] as? [String: Any], "\(backups[1])")
            #expect(unfrozen["frozen"] as? Bool == false, "\(unfrozen)")
            #expect((unfrozen["reason"] as? String)?.contains("no guest agent runs in the guest") == true, "\(unfrozen)")
            let table = try await joist.succeed(["backup", "list", "vm5"])
            #expect(table.contains("FS-FROZEN"), "\(table)")
        }
    }

    static func jsonList(_ joist: DaemonHarness, _ arguments: [String]) async throws -> [[String: Any]] {
        let text = try await joist.succeed(arguments)
        return try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]], "\(text)")
    }
}
