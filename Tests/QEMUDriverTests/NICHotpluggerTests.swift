import JoistCore
import JoistTesting
import Logging
import QEMUDriver
import QMP
import Testing

/// The NIC hot-plugger against a fake QMP server: which commands it sends, and what it does when
/// QEMU refuses or the NIC is half gone.
@Suite("NIC hot-plug over QMP", .timeLimit(.minutes(1)))
struct NICHotpluggerTests {
    static let nic = AttachedNIC(index: 1, backend: .tap("jt-0ef0e05d29bb"), mac: MACAddress(qemuSuffix: 0x0e_f0e0))

    /// Answers like a q35 guest with one busy and one free root port; `devices` are the ids under
    /// `/machine/peripheral`, and `failed` is refused.
    static func guest(devices: [String] = [nic.deviceID], failing failed: String? = nil) -> FakeQMPServer.Handler {
        { command in
            switch command.name {
            case failed: .error(class: "GenericError", description: "\(command.name) refused")
            case "query-pci": .success([["bus": 0, "devices": [DiskHotpluggerTests.busyPort, DiskHotpluggerTests.emptyPort]]])
            case "qom-list": .success(.array([["name": "type", "type": "string"]] + devices.map { ["name": .string($0), "type": "child<virtio-net-pci>"] }))
            default: .success([:])
            }
        }
    }

    private func withHotplugger(
        _ handler: @escaping FakeQMPServer.Handler, machine: MachineType = .q35, unplugTimeout: Duration = hangTimeout,
        _ body: (FakeQMPServer, NICHotplugger) async throws -> Void
    ) async throws {
        let server = try await FakeQMPServer.start(handler: handler)
        let client = try await QMPClient.connect(path: server.socketPath, logger: Logger(label: "test"))
        do {
            try await body(server, NICHotplugger(qmp: client, machine: machine, unplugTimeout: unplugTimeout))
        } catch {
            await client.close()
            await server.shutdown()
            throw error
        }
        await client.close()
        await server.shutdown()
    }

    @Test("attach finds a free root port and sends the plan's netdev_add and device_add")
    func attach() async throws {
        try await withHotplugger(Self.guest(devices: [])) { server, hotplugger in
            try await hotplugger.attach(Self.nic)
            #expect(server.commands.map(\.name) == ["query-pci", "netdev_add", "device_add"])
            let plan = NICHotplugPlan.attach(Self.nic, machine: .q35, rootPort: "port1")
            #expect(server.commands.dropFirst().map(\.arguments) == plan.map { $0.command?.arguments.qmpValue })
            #expect(server.commands.last?.arguments?["bus"] == "port1")
        }
    }

    @Test("a refused device_add closes the netdev again and names the NIC")
    func attachRollsBack() async throws {
        try await withHotplugger(Self.guest(devices: [], failing: "device_add")) { server, hotplugger in
            let error = await #expect(throws: JoistError.self) { try await hotplugger.attach(Self.nic) }
            #expect(error == .hostFailure(
                "cannot attach NIC eth1 on tap jt-0ef0e05d29bb: QMP command failed: GenericError: device_add refused"))
            #expect(server.commands.map(\.name) == ["query-pci", "netdev_add", "device_add", "netdev_del"])
            #expect(server.commands.last?.arguments == ["id": "net1"])
        }
    }

    @Test("a microvm guest takes no NIC while it runs, and nothing is sent")
    func microvm() async throws {
        try await withHotplugger(Self.guest(devices: []), machine: .microvm) { server, hotplugger in
            let error = await #expect(throws: JoistError.self) { try await hotplugger.attach(Self.nic) }
            #expect(error?.code == .unsupported)
            #expect(error?.message.hasPrefix("cannot attach NIC eth1 on tap jt-0ef0e05d29bb: a microvm guest cannot take NICs") == true)
            #expect(server.commands.isEmpty)
        }
    }

    @Test("detach waits for the guest to release the device before closing the netdev")
    func detach() async throws {
        try await withHotplugger(Self.guest()) { server, hotplugger in
            async let detached: Void = hotplugger.detach(Self.nic)
            let asked = await eventually { server.commands.contains { $0.name == "device_del" } }
            try #require(asked)
            #expect(!server.commands.contains { $0.name == "netdev_del" })
            await server.emit("DEVICE_DELETED", data: ["device": "net1-nic", "path": "/machine/peripheral/net1-nic"])
            try await detached
            #expect(server.commands.map(\.name) == ["qom-list", "device_del", "netdev_del"])
            #expect(server.commands.dropFirst().map(\.arguments) == [["id": "net1-nic"], ["id": "net1"]])
        }
    }

    @Test("a detach repeated after the guest released the device closes the netdev left behind")
    func detachLeftover() async throws {
        try await withHotplugger(Self.guest(devices: [])) { server, hotplugger in
            try await hotplugger.detach(Self.nic)
            #expect(server.commands.map(\.name) == ["qom-list", "netdev_del"])
        }
    }

    @Test("detach of a NIC QEMU does not have is refused as not found")
    func detachUnknown() async throws {
        let handler: FakeQMPServer.Handler = { command in
            command.name == "netdev_del"
                ? .error(class: "DeviceNotFound", description: "Device 'net1' not found") : Self.guest(devices: [])(command)
        }
        try await withHotplugger(handler) { server, hotplugger in
            let error = await #expect(throws: JoistError.self) { try await hotplugger.detach(Self.nic) }
            #expect(error == .notFound("cannot detach NIC eth1 on tap jt-0ef0e05d29bb: it is not attached to the running guest"))
            #expect(server.commands.map(\.name) == ["qom-list", "netdev_del"])
        }
    }

    @Test("a guest that never releases the NIC is a timeout, and the netdev stays")
    func detachTimeout() async throws {
        try await withHotplugger(Self.guest(), unplugTimeout: .milliseconds(200)) { server, hotplugger in
            let error = await #expect(throws: JoistError.self) { try await hotplugger.detach(Self.nic) }
            #expect(error?.code == .timeout)
            #expect(server.commands.map(\.name) == ["qom-list", "device_del"])
        }
    }
}
