import Activity
import Daemon
import Foundation
import JoistAPI
import JoistCore
import JoistTesting
import QEMUDriver
import QMP
import Synchronization
import Testing

/// Snapshots of a running instance against a fake QEMU: which QMP goes out, what is recorded, and
/// the schedule run with a manual clock. The instance's disk is a real qcow2 file (its sizes are read).
@Suite("Instance snapshots against a fake QEMU")
struct SnapshotSupervisorTests {
    /// Answers `query-jobs` with the job concluded (with `jobError` if given); everything else succeeds.
    static func jobs(error jobError: String? = nil) -> FakeQMPServer.Handler {
        { command in
            guard command.name == "query-jobs" else { return command.name == "quit" ? .successThenDisconnect([:]) : .success([:]) }
            var job: [String: JSONValue] = [
                "id": "joist-save-s1", "type": "snapshot-save", "status": "concluded", "current-progress": 1, "total-progress": 1,
            ]
            if let jobError { job["error"] = .string(jobError) }
            return .success(.array([.object(job)]))
        }
    }

    /// Runs `body` with instance `vm1` running on a fake VM, with one qcow2 file disk.
    static func withRunningInstance(
        _ handler: @escaping FakeQMPServer.Handler = jobs(), _ body: (InstanceSupervisor, FakeVMLauncher.VM, FakeDaemon, String) async throws -> Void
    ) async throws {
        let launcher = FakeVMLauncher(handler: handler)
        let daemon = try FakeDaemon(launcher: launcher)
        defer { daemon.cleanUp() }
        let disk = daemon.directory + "/disk.qcow2"
        let made = try await CommandRunner.run("/usr/bin/qemu-img", ["create", "-q", "-f", "qcow2", disk, "16M"])
        try #require(made.succeeded, "\(made)")
        try await daemon.manager.projects.load()
        _ = try await daemon.manager.create(
            InstanceCreate(name: "vm1", kernel: daemon.directory + "/vmlinuz", memory: "64MiB", disks: [disk], accel: .tcg), in: "default")
        let supervisor = try await daemon.manager.supervisor("vm1", in: "default")
        try await supervisor.start()
        let vm = try #require(launcher.last)
        do {
            try await body(supervisor, vm, daemon, disk)
        } catch {
            await stop(vm, of: supervisor, on: launcher)
            throw error
        }
        await stop(vm, of: supervisor, on: launcher)
    }

    @Test("a disk snapshot of a running guest is one QMP transaction; it becomes the current snapshot")
    func liveDiskSnapshot() async throws {
        try await Self.withRunningInstance { vm1, vm, _, disk in
            let taken = try await vm1.createSnapshot("s1", stateful: false)
            #expect(taken.current && !taken.stateful && taken.parent == nil)
            #expect(taken.disks == [InstanceSnapshotDisk(disk: disk, size: .mebibytes(16))])
            let node = DiskNames(for: .file(disk)).node
            let transaction = try #require(vm.qmp.commands.first { $0.name == "transaction" })
            #expect(transaction.arguments?["actions"] == [["type": "blockdev-snapshot-internal-sync", "data": ["device": .string(node), "name": "s1"]]])
            let second = try await vm1.createSnapshot("s2", stateful: false)
            #expect(second.parent == "s1")
            #expect(await vm1.snapshots().map(\.current) == [false, true])
            await #expect(throws: JoistError.self) { try await vm1.createSnapshot("s2", stateful: false) }
        }
    }

    @Test("a stateful snapshot runs a snapshot-save job to its end and dismisses it")
    func statefulSnapshot() async throws {
        try await Self.withRunningInstance { vm1, vm, _, disk in
            _ = try await vm1.createSnapshot("s1", stateful: true)
            let node = DiskNames(for: .file(disk)).node
            let save = try #require(vm.qmp.commands.first { $0.name == "snapshot-save" })
            #expect(save.arguments == ["job-id": "joist-save-s1", "tag": "s1", "vmstate": .string(node), "devices": [.string(node)]])
            let names = vm.qmp.commands.map(\.name)
            #expect(names.contains("query-jobs") && names.last == "job-dismiss", "\(names)")
            #expect(await vm1.snapshots().first?.stateful == true)
        }
    }

    @Test("a failed snapshot-save job records nothing and says why")
    func failedJob() async throws {
        try await Self.withRunningInstance(Self.jobs(error: "No space left on device")) { vm1, _, _, _ in
            await #expect {
                _ = try await vm1.createSnapshot("s1", stateful: true)
            } throws: { error in
                (error as? JoistError)?.message.contains("No space left on device") == true
            }
            #expect(await vm1.snapshots().isEmpty)
        }
    }

    @Test("restoring a disk snapshot of a running guest is refused without force, and sends nothing")
    func liveDiskRestoreRefused() async throws {
        try await Self.withRunningInstance { vm1, vm, _, _ in
            _ = try await vm1.createSnapshot("s1", stateful: false)
            let sent = vm.qmp.commands.count
            await #expect {
                try await vm1.restoreSnapshot("s1", force: false)
            } throws: { error in
                (error as? JoistError)?.message.contains("--force") == true
            }
            #expect(vm.qmp.commands.count == sent)
            #expect(await vm1.snapshot().state == .running)
        }
    }

    @Test("a stateful restore of a running guest drops the backups' change records, then loads the snapshot in place")
    func liveStatefulRestore() async throws {
        // The disk's node (known once the disk is made) holds a backup checkpoint and someone else's bitmap.
        let diskNode = Mutex("")
        let handler: FakeQMPServer.Handler = { command in
            if command.name == "query-named-block-nodes" {
                let bitmaps: JSONValue = [
                    ["name": "joist-b1", "recording": true, "granularity": 65536, "count": 0],
                    ["name": "mine", "recording": true, "granularity": 65536, "count": 0],
                ]
                return .success([["node-name": .string(diskNode.withLock { $0 }), "dirty-bitmaps": bitmaps]])
            }
            guard command.name == "query-jobs" else { return .success([:]) }
            let id: JSONValue = command.arguments == nil ? "joist-load-s1" : "x"
            return .success([["id": "joist-save-s1", "status": "concluded"], ["id": id, "status": "concluded"]])
        }
        try await Self.withRunningInstance(handler) { vm1, vm, _, disk in
            diskNode.withLock { $0 = DiskNames(for: .file(disk)).node }
            _ = try await vm1.createSnapshot("s1", stateful: true)
            _ = try await vm1.createSnapshot("s2", stateful: false)
            try await vm1.restoreSnapshot("s1", force: false)
            let names = vm.qmp.commands.map(\.name)
            #expect(vm.qmp.commands.contains { $0.name == "snapshot-load" && $0.arguments?["tag"] == "s1" })
            #expect(await vm1.snapshots().first { $0.current }?.name == "s1")
            let node = DiskNames(for: .file(disk)).node
            let removed = vm.qmp.commands.filter { $0.name == "block-dirty-bitmap-remove" }
            #expect(removed.map { $0.arguments?["name"] } == [.string("joist-b1")], "\(names)")
            #expect(removed.map { $0.arguments?["node"] } == [.string(node)])
            #expect(names.firstIndex(of: "block-dirty-bitmap-remove")! < names.firstIndex(of: "snapshot-load")!)
        }
    }

    @Test("the scheduler takes snapshots on time by its clock and prunes the oldest scheduled ones, never a named one")
    func schedule() async throws {
        try await Self.withRunningInstance { vm1, vm, daemon, _ in
            let start = Date()
            let clock = Mutex(start)
            let scheduler = SnapshotScheduler(
                instances: daemon.manager, operations: OperationManager(events: EventBus()), now: { clock.withLock { $0 } })
            try await vm1.setSnapshotSchedule(try SnapshotSchedule(every: SnapshotInterval(parsing: "1m"), keep: 2, since: start))
            _ = try await vm1.createSnapshot("mine", stateful: false)

            clock.withLock { $0 = start.addingTimeInterval(59) }
            await scheduler.tick()
            #expect(await vm1.snapshots().map(\.name) == ["mine"])
            var expected = ["mine"]
            for minute in 1...3 {
                let now = start.addingTimeInterval(Double(minute) * 60)
                clock.withLock { $0 = now }
                await scheduler.tick()
                expected.append(SnapshotSchedule.snapshotName(at: now))
            }
            // Three taken, the oldest pruned; the named one stays.
            #expect(await vm1.snapshots().map(\.name) == ["mine"] + expected.suffix(2))
            #expect(await vm1.snapshots().allSatisfy { $0.scheduled == ($0.name != "mine") })
            let deleted = vm.qmp.commands.filter { $0.name == "blockdev-snapshot-delete-internal-sync" }
            #expect(deleted.map { $0.arguments?["name"]?.stringValue } == [expected[1]])
            // Nothing more is due until another minute has passed.
            await scheduler.tick()
            #expect(await vm1.snapshots().count == 3)
            #expect(await vm1.snapshotScheduleInfo()?.nextAt == start.addingTimeInterval(240))
        }
    }
}
