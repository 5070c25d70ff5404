import Daemon
import Foundation
import JoistAPI
import JoistCore
import JoistTesting
import QMP
import Testing

/// The supervisor's use of the guest agent, with a fake QEMU and a fake agent on the socket where
/// QEMU's agent chardev would be.
@Suite("Supervisor and guest agent: exec, guest info, agent-first stop")
struct GuestAgentSupervisorTests {
    /// A fake QEMU whose agent port is open (or not) in the guest, that quits on `quit`.
    static func launcher(portOpen: Bool) -> FakeVMLauncher {
        FakeVMLauncher { command in
            switch command.name {
            case "query-chardev": .success([["label": "agent0", "frontend-open": .bool(portOpen)], ["label": "ser0", "frontend-open": true]])
            case "quit": .successThenDisconnect([:])
            default: .success([:])
            }
        }
    }

    /// The agent socket beside the fake QMP socket, as QEMU would make it.
    static func agentSocket(_ vm: FakeVMLauncher.VM) -> String {
        URL(fileURLWithPath: vm.qmp.socketPath).deletingLastPathComponent().appending(path: "agent.sock").path
    }

    @Test("exec returns the exit code and base64 output; info lists the OS and interfaces without lo")
    func execAndInfo() async throws {
        try await withRunningVM(Self.launcher(portOpen: true)) { vm1, vm in
            let agent = try await FakeGuestAgent.start(socketPath: Self.agentSocket(vm)) { name, _ in
                switch name {
                case "guest-exec": .value(["pid": 7])
                case "guest-exec-status": .value(["exited": true, "exitcode": 3, "out-data": "b3V0Cg==", "err-data": "ZXJyCg=="])
                case "guest-get-osinfo": .value(["id": "debian", "version-id": "12", "pretty-name": "Debian GNU/Linux 12 (bookworm)"])
                case "guest-network-get-interfaces":
                    .value([
                        ["name": "lo", "ip-addresses": [["ip-address-type": "ipv4", "ip-address": "127.0.0.1", "prefix": 8]]],
                        ["name": "eth0", "hardware-address": "52:54:00:00:00:01", "ip-addresses": [["ip-address-type": "ipv4", "ip-address": "10.0.2.15", "prefix": 24]]],
                    ])
                default: .value([:])
                }
            }
            defer { Task { await agent.shutdown() } }
            let result = try await vm1.exec(InstanceExec(command: ["sh", "-c", "exit 3"]))
            #expect(result == InstanceExecResult(exitCode: 3, stdout: "b3V0Cg==", stderr: "ZXJyCg=="))
            let guest = await vm1.guest()
            #expect(guest.agent == .answering && guest.os?.prettyName == "Debian GNU/Linux 12 (bookworm)")
            #expect(guest.interfaces == [InstanceGuest.Interface(name: "eth0", mac: "52:54:00:00:00:01", addresses: ["10.0.2.15/24"])])
            // Reused for a few seconds: no second round of questions.
            _ = await vm1.guest()
            #expect(agent.received.filter { $0 == "guest-get-osinfo" }.count == 1)
        }
    }

    @Test("a port the guest never opened fails exec at once with the clear message, and info says not answering")
    func closedPort() async throws {
        try await withRunningVM(Self.launcher(portOpen: false)) { vm1, vm in
            // An agent that would answer everything sits on the socket: exec fails all the same, without
            // asking it, because QEMU says nothing in the guest opened the port.
            let agent = try await FakeGuestAgent.start(socketPath: Self.agentSocket(vm)) { _, _ in .value([:]) }
            defer { Task { await agent.shutdown() } }
            await #expect(throws: JoistError.invalidState("the guest agent of vm1 is not answering: is qemu-guest-agent installed and running in the guest?")) {
                _ = try await vm1.exec(InstanceExec(command: ["true"]))
            }
            #expect(agent.received.isEmpty, "\(agent.received)")
            #expect(await vm1.guest().agent == .notAnswering)
            await #expect(throws: JoistError.self) { _ = try await vm1.exec(InstanceExec(command: [])) }
        }
    }

    @Test("stop asks the agent first; the guest powering off then is recorded as the agent's doing, with no ACPI request")
    func stopThroughAgent() async throws {
        try await withRunningVM(Self.launcher(portOpen: true)) { vm1, vm in
            let agent = try await FakeGuestAgent.start(socketPath: Self.agentSocket(vm)) { name, _ in
                name == "guest-shutdown" ? .silence : .value([:])
            }
            defer { Task { await agent.shutdown() } }
            let stopping = Task { try await vm1.stop(force: false, timeout: hangTimeout) }
            #expect(await eventually { agent.received.contains("guest-shutdown") })
            await vm.qmp.emit("SHUTDOWN", data: ["guest": true, "reason": "guest-shutdown"])
            await Self.exitQEMU(vm)
            try await stopping.value
            #expect(await vm1.snapshot().lastExit?.reason == "stopped (shut down by the guest agent)")
            #expect(!vm.qmp.commands.map(\.name).contains("system_powerdown"))
        }
    }

    @Test("an agent that refuses to shut down leaves it to ACPI, then the timeout forces")
    func refusedShutdown() async throws {
        try await withRunningVM(Self.launcher(portOpen: true)) { vm1, vm in
            let agent = try await FakeGuestAgent.start(socketPath: Self.agentSocket(vm)) { name, _ in
                name == "guest-shutdown" ? .error("GenericError", "child process has failed to shutdown") : .value([:])
            }
            defer { Task { await agent.shutdown() } }
            try await vm1.stop(force: false, timeout: .milliseconds(500))
            #expect(agent.received.contains("guest-shutdown"))
            #expect(vm.qmp.commands.map(\.name).suffix(2) == ["system_powerdown", "quit"])
            #expect(await vm1.snapshot().lastExit?.reason.hasPrefix("stopped (forced after") == true)
        }
    }

    /// QEMU exiting after the guest powered off.
    static func exitQEMU(_ vm: FakeVMLauncher.VM) async {
        await vm.qmp.dropConnections()
    }
}
