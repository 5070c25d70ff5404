import Daemon
import Foundation
import JoistAPI
import JoistCore
import JoistTesting
import QMP
import Testing

@Suite("Instance supervisor against a fake QEMU")
struct InstanceSupervisorTests {
    @Test("start continues the paused VM and relays its console into the history")
    func start() async throws {
        try await withRunningVM { vm1, vm in
            #expect(await vm1.snapshot().state == .running)
            #expect(vm.qmp.commands.map(\.name).contains("cont"))
            try await vm.serial.print("hello from the guest\n")
            #expect(await eventually { String(decoding: vm1.consoleHistory(), as: UTF8.self).contains("hello from the guest") })
        }
    }

    @Test("a guest that powers off becomes stopped on its own, with the reason recorded")
    func guestPoweroff() async throws {
        let launcher = FakeVMLauncher()
        try await withRunningVM(launcher) { vm1, vm in
            await vm.qmp.emit("SHUTDOWN", data: ["guest": true, "reason": "guest-shutdown"])
            await launcher.exit(vm)
            #expect(await eventually { await vm1.snapshot().state == .stopped })
            #expect(await vm1.snapshot().lastExit?.reason == "guest powered off")
            #expect(await vm1.snapshot().pid == nil)
        }
    }

    @Test("a guest that ignores the power-down is forced off after the timeout")
    func stopTimeout() async throws {
        try await withRunningVM(.quitting()) { vm1, vm in
            try await vm1.stop(force: false, timeout: .milliseconds(300))
            #expect(await vm1.snapshot().state == .stopped)
            #expect(vm.qmp.commands.map(\.name).suffix(2) == ["system_powerdown", "quit"])
            let reason = await vm1.snapshot().lastExit?.reason ?? ""
            #expect(reason.hasPrefix("stopped (forced after"), "\(reason)")
        }
    }

    @Test("a panicked guest is an error until stopped; start is refused meanwhile")
    func panic() async throws {
        try await withRunningVM(.quitting()) { vm1, vm in
            await vm.qmp.emit("GUEST_PANICKED", data: ["action": "pause"])
            #expect(await eventually { await vm1.snapshot().state == .error })
            await #expect(throws: JoistError.invalidState("instance vm1 has crashed (guest panic); stop it first")) {
                try await vm1.start()
            }
            try await vm1.stop(force: true, timeout: .zero)
            #expect(await vm1.snapshot().state == .stopped)
        }
    }

    @Test("pause and resume follow QMP, and events from outside (STOP, RESUME) are reflected")
    func pauseResume() async throws {
        try await withRunningVM { vm1, vm in
            try await vm1.pause()
            #expect(await vm1.snapshot().state == .paused)
            try await vm1.resume()
            #expect(await vm1.snapshot().state == .running)
            await vm.qmp.emit("STOP")
            #expect(await eventually { await vm1.snapshot().state == .paused })
            await vm.qmp.emit("RESUME")
            #expect(await eventually { await vm1.snapshot().state == .running })
        }
    }

    @Test("a failed launch leaves the instance stopped with the reason")
    func launchFailure() async throws {
        let daemon = try FakeDaemon(launcher: FakeVMLauncher(failure: .hostFailure("QEMU failed to start: boom")))
        defer { daemon.cleanUp() }
        let vm1 = try await daemon.create("vm1")
        await #expect(throws: JoistError.hostFailure("failed to start instance vm1: QEMU failed to start: boom")) {
            try await vm1.start()
        }
        let snapshot = await vm1.snapshot()
        #expect(snapshot.state == .stopped)
        #expect(snapshot.lastExit?.reason == "failed to start: QEMU failed to start: boom")
    }

    @Test("configuration changes need a stopped instance and are validated")
    func config() async throws {
        let daemon = try FakeDaemon(launcher: FakeVMLauncher())
        defer { daemon.cleanUp() }
        let vm1 = try await daemon.create("vm1")
        try await vm1.updateConfig([("memory", "128MiB")])
        #expect(await vm1.snapshot().config.memory == .mebibytes(128))
        await #expect(throws: JoistError.self) { try await vm1.updateConfig([("cpus", "100000")]) }
        try await vm1.start()
        await #expect(throws: JoistError.invalidState("instance vm1 must be stopped to change its configuration (it is running)")) {
            try await vm1.updateConfig([("cpus", "1")])
        }
        let vm = try #require(daemon.launcher.last)
        await stop(vm, of: vm1, on: daemon.launcher)
    }

    @Test("the VNC socket is refused with no display, while stopped, and when QEMU made none")
    func vncSocket() async throws {
        let daemon = try FakeDaemon(launcher: FakeVMLauncher())
        defer { daemon.cleanUp() }
        let vm1 = try await daemon.create("vm1")
        await #expect(throws: JoistError.invalidState("instance vm1 is not running")) { try await vm1.vncSocket() }
        try await vm1.updateConfig([("display", "none")])
        await #expect(throws: JoistError.invalidState("instance vm1 has no display; set display=std while stopped")) {
            try await vm1.vncSocket()
        }
        try await vm1.updateConfig([("display", "std")])
        try await vm1.start()
        // The fake QEMU opens no VNC socket, as a QEMU started before guests had displays.
        await #expect(throws: JoistError.invalidState("instance vm1 was started without a display; restart it to get one")) {
            try await vm1.vncSocket()
        }
        let vm = try #require(daemon.launcher.last)
        await stop(vm, of: vm1, on: daemon.launcher)
    }
}
