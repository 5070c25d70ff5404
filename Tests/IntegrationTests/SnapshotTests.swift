import Foundation
import JoistTestTraits
import JoistTesting
import Testing

/// Snapshots through joistd and the joist CLI: qemu-img on a stopped instance's volumes, QMP on a
/// running test guest under TCG.
@Suite("Snapshots (real QEMU)", .bootsGuests(1), .serialized, .timeLimit(.minutes(15)))
struct SnapshotTests {
    @Test("a stateful snapshot of a running guest: after a restore its console counter resumes from the snapshot's moment")
    func statefulRestoreResumesCounter() async throws {
        let guest = try await TestGuest.locate()
        try await DaemonHarness.with { joist in
            let disk = try await joist.createGuest("vm1", guest: guest, volume: "data", size: "64MiB")
            let console = try await joist.startWithConsole("vm1")
            defer { Task { await console.close() } }
            console.send("i=0; while true; do echo C$i; i=$((i+1)); sleep 1; done &\n")
            #expect(await console.waitFor("C3\r\n"), "\(console.output)")

            try await joist.succeed(["snapshot", "create", "vm1", "counting", "--stateful"])
            let atSnapshot = try #require(Self.counters(in: console.output).last)
            // The guest counts on well past the snapshot…
            #expect(await console.waitFor("C\(atSnapshot + 8)\r\n", timeout: .seconds(90)), "\(console.output)")
            let beforeRestore = console.output.count
            try await joist.succeed(["snapshot", "restore", "vm1", "counting"])
            #expect(try await joist.state("vm1") == "running")
            // …and after the restore counts on from where it was when the snapshot was taken.
            #expect(await eventually(timeout: .seconds(60)) { Self.counters(in: String(console.output.dropFirst(beforeRestore))).count >= 2 })
            let resumed = Self.counters(in: String(console.output.dropFirst(beforeRestore)))
            let first = try #require(resumed.first)
            #expect(first > atSnapshot - 1 && first <= atSnapshot + 3, "snapshot at C\(atSnapshot), resumed at C\(first): \(resumed)")

            let list = try await Self.snapshots(joist, "vm1")
            #expect(list.map { $0["name"] as? String } == ["counting"])
            #expect(list.first?["stateful"] as? Bool == true)
            #expect((list.first?["vmStateSize"] as? Int ?? 0) > 0, "\(list)")

            // A disk snapshot while it runs; restoring it live is refused without --force.
            try await joist.succeed(["snapshot", "create", "vm1", "disks-only"])
            let refused = try await joist.cli(["snapshot", "restore", "vm1", "disks-only"])
            #expect(!refused.succeeded && refused.stderr.contains("--force"), "\(refused)")
            try await joist.succeed(["snapshot", "restore", "vm1", "disks-only", "--force"])
            #expect(try await joist.waitForState("vm1", "running"))
            let tree = try await Self.snapshots(joist, "vm1")
            #expect(tree.first { $0["name"] as? String == "disks-only" }?["parent"] as? String == "counting")
            #expect(tree.first { $0["name"] as? String == "disks-only" }?["current"] as? Bool == true)
            try await joist.succeed(["snapshot", "delete", "vm1", "counting"])
            #expect(try await Self.snapshots(joist, "vm1").map { $0["name"] as? String } == ["disks-only"])
            try await joist.succeed(["delete", "vm1", "--force"])
            // The volume outlives the instance, without its snapshots.
            #expect(try await Self.tags(disk).isEmpty)
        }
    }

    @Test("disk snapshots of a stopped instance restore written data; the tree, deletes and a daemon restart keep the list true to the disks")
    func stoppedDiskSnapshots() async throws {
        let guest = try await TestGuest.locate()
        try await DaemonHarness.with { joist in
            let disk = try await joist.createGuest("vm2", guest: guest, volume: "data", size: "16MiB")
            try await HostTool.run("qemu-io", ["-f", "qcow2", "-c", "write -P 0xaa 0 64k", disk])
            try await joist.succeed(["snapshot", "create", "vm2", "first"])
            #expect(try await joist.cli(["snapshot", "create", "vm2", "later", "--stateful"]).stderr.contains("stopped"))
            try await HostTool.run("qemu-io", ["-f", "qcow2", "-c", "write -P 0xbb 0 64k", disk])
            try await joist.succeed(["snapshot", "create", "vm2", "second"])
            try await joist.succeed(["snapshot", "restore", "vm2", "first"])
            try await HostTool.run("qemu-io", ["-f", "qcow2", "-c", "read -P 0xaa 0 64k", disk])
            try await joist.succeed(["snapshot", "create", "vm2", "branch"])

            let parents = try await Self.parents(joist, "vm2")
            #expect(parents == ["first": "", "second": "first", "branch": "first"], "\(parents)")
            let table = try await joist.succeed(["snapshot", "list", "vm2"])
            #expect(table.contains("├─ second") && table.contains("└─ branch *"), "\(table)")

            try await joist.succeed(["snapshot", "delete", "vm2", "first"])
            #expect(try await Self.parents(joist, "vm2") == ["second": "", "branch": ""])
            #expect(try await Self.tags(disk) == ["second", "branch"])

            // While the daemon is away, one tag goes and one comes: the restarted daemon follows the disk.
            await joist.killDaemon()
            try await HostTool.run("qemu-img", ["snapshot", "-d", "second", disk])
            try await HostTool.run("qemu-img", ["snapshot", "-c", "by-hand", disk])
            try await joist.start()
            #expect(try await Self.parents(joist, "vm2") == ["branch": "", "by-hand": ""])

            // Raw disks cannot hold snapshots: refused, naming the disk.
            try await joist.succeed(["volume", "create", "default", "flat", "--size", "16MiB", "--format", "raw"])
            try await joist.succeed(["volume", "attach", "vm2", "default/flat"])
            let raw = try await joist.cli(["snapshot", "create", "vm2", "third"])
            #expect(!raw.succeeded && raw.stderr.contains("default/flat") && raw.stderr.contains("qcow2"), "\(raw)")
        }
    }

    /// The counter values `C<n>` the guest printed, in order.
    static func counters(in output: String) -> [Int] {
        output.matches(of: /C([0-9]+)\s/).compactMap { Int($0.1) }
    }

    static func snapshots(_ joist: DaemonHarness, _ instance: String) async throws -> [[String: Any]] {
        let text = try await joist.succeed(["snapshot", "list", instance, "--format", "json"])
        return try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]])
    }

    /// Each snapshot's parent ("" for none).
    static func parents(_ joist: DaemonHarness, _ instance: String) async throws -> [String: String] {
        Dictionary(uniqueKeysWithValues: try await snapshots(joist, instance).compactMap { snapshot in
            (snapshot["name"] as? String).map { ($0, snapshot["parent"] as? String ?? "") }
        })
    }

    /// The snapshot tags the qcow2 image holds, in its order.
    static func tags(_ path: String) async throws -> [String] {
        let result = try await CommandRunner.run("/usr/bin/qemu-img", ["info", "-U", "--output=json", path])
        let info = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        return (info["snapshots"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
    }
}
