import Foundation
import HostKit
import JoistTesting
import Testing

@testable import QEMUDriver

@Suite("Guest CPU groups")
struct GuestCgroupsTests {
    static let hybridMounts = """
        tmpfs /sys/fs/cgroup tmpfs rw,relatime,mode=755 0 0
        cgroup /sys/fs/cgroup/cpuacct cgroup rw,relatime,cpuacct 0 0
        cgroup /sys/fs/cgroup/cpu cgroup rw,relatime,cpu 0 0
        cgroup2 /sys/fs/cgroup/unified cgroup2 rw,relatime 0 0
        """

    @Test("the CPU controller is found in v2 when it holds cpu, else in v1's cpu hierarchy (not cpuacct)")
    func controllerDetection() {
        let hybrid = GuestCgroups.cpuController(mounts: Self.hybridMounts) { _ in "hugetlb\n" }
        #expect(hybrid?.path == "/sys/fs/cgroup/cpu")
        #expect(hybrid?.version == .v1)
        let unified = GuestCgroups.cpuController(mounts: "cgroup2 /sys/fs/cgroup cgroup2 rw,nsdelegate 0 0") { path in
            path == "/sys/fs/cgroup/cgroup.controllers" ? "cpuset cpu io memory pids\n" : nil
        }
        #expect(unified?.path == "/sys/fs/cgroup")
        #expect(unified?.version == .v2)
        #expect(GuestCgroups.cpuController(mounts: "cgroup2 /sys/fs/cgroup cgroup2 rw 0 0") { _ in "io memory" } == nil)
        #expect(GuestCgroups.cpuController(mounts: "proc /proc proc rw 0 0") { _ in nil } == nil)
    }

    @Test("daemon ids are short, stable and differ between state directories")
    func daemonIDs() {
        let id = GuestCgroups.daemonID(stateDirectory: "/var/lib/joist")
        #expect(id.count == 8)
        #expect(id == GuestCgroups.daemonID(stateDirectory: "/var/lib/joist"))
        #expect(id != GuestCgroups.daemonID(stateDirectory: "/tmp/jt-abc123"))
    }

    @Test("weights outside 1…10000 are refused")
    func weightRange() {
        #expect(throws: (any Error).self) { _ = try GuestCgroups.make(daemonID: "x", weight: 0) }
        #expect(throws: (any Error).self) { _ = try GuestCgroups.make(daemonID: "x", weight: 10_001) }
    }

    @Test("the entering shell writes its own pid, then runs the program with its arguments untouched")
    func enterPassesArgumentsThrough() async throws {
        try await withTemporaryDirectory { directory in try await enterPassesArguments(in: directory) }
    }

    func enterPassesArguments(in directory: String) async throws {
        let procs = directory + "/procs, with \"quotes\" and $HOME"
        _ = FileManager.default.createFile(atPath: procs, contents: nil)
        let argv = GuestCgroups.enter(procs, then: ["/bin/sh", "-c", #"echo "$$ $1 $2""#, "sh", "a,b", "$(id)"])
        let status = try await ProcessSpawner.run(argv, outputPath: directory + "/out")
        #expect(status == 0)
        let written = try String(contentsOfFile: procs, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let output = try String(contentsOfFile: directory + "/out", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        // exec keeps the pid: the program is the process that joined the group.
        #expect(output == "\(written) a,b $(id)")
    }

    @Test("on this host: a process started through enter runs in its instance's group; empty groups are removed")
    func realControllerPlacesProcesses() async throws {
        let daemonID = "test-" + UUID().uuidString.prefix(8).lowercased()
        let groups = try #require(try GuestCgroups.make(daemonID: daemonID, weight: 100), "no writable cgroup CPU controller")
        defer { groups.removeParentIfEmpty() }
        let procs = try groups.prepare(instance: "vm1")
        let lines = try await withTemporaryDirectory { directory in
            let argv = GuestCgroups.enter(procs, then: ["/bin/cat", "/proc/self/cgroup"])
            #expect(try await ProcessSpawner.run(argv, outputPath: directory + "/out") == 0)
            return try String(contentsOfFile: directory + "/out", encoding: .utf8)
        }
        #expect(lines.contains("/joist/\(daemonID)/vm1\n"), "\(lines)")
        #expect(groups.processes(instance: "vm1").isEmpty)

        groups.remove(instance: "vm1")
        #expect(!FileManager.default.fileExists(atPath: groups.group(for: "vm1")))
        _ = try groups.prepare(instance: "vm2")
        groups.removeParentIfEmpty()
        #expect(!FileManager.default.fileExists(atPath: groups.parent))
    }

    @Test("on this host: a group waiting for its last process is kept when the instance starts again")
    func restartKeepsTheGroup() async throws {
        let groups = try #require(try GuestCgroups.make(daemonID: "test-" + UUID().uuidString.prefix(8).lowercased(), weight: 100))
        defer { groups.removeParentIfEmpty() }
        try await withTemporaryDirectory { directory in
            // The old run: a process that stays in the group until the file `go` appears.
            let go = directory + "/go"
            let waitForGo = ["/bin/sh", "-c", "while [ ! -e \"$0\" ]; do sleep 0.02; done", go]
            let old = Task {
                try await ProcessSpawner.run(
                    GuestCgroups.enter(try groups.prepare(instance: "vm1"), then: waitForGo), outputPath: directory + "/old")
            }
            #expect(await eventually { !groups.processes(instance: "vm1").isEmpty })
            groups.removeWhenEmpty(instance: "vm1")
            // The new run prepares the group before the old process has left it.
            _ = try groups.prepare(instance: "vm1")
            _ = FileManager.default.createFile(atPath: go, contents: nil)
            #expect(try await old.value == 0)
            // Long enough for a removal still running to have struck (it polls every 20 ms).
            try await Task.sleep(for: .milliseconds(300))
            #expect(FileManager.default.fileExists(atPath: groups.group(for: "vm1")))
            groups.removeWhenEmpty(instance: "vm1")
            #expect(await eventually { !FileManager.default.fileExists(atPath: groups.group(for: "vm1")) })
        }
    }
}
